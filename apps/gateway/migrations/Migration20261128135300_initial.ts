import { Migration } from '@mikro-orm/migrations';

export class Migration20261128135300_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create type "user_role" as enum ('consumer', 'institution', 'producer_staff', 'relief_officer', 'auditor', 'admin');`,
    );
    this.addSql(
      `create table "app_user" ("id" uuid not null, "email" text not null, "name" text not null, "password_hash" text not null, "role" "user_role" not null, "producer_ids" text[] not null default '{}', "created_by" uuid null, "created_at" timestamptz not null, constraint "app_user_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);
    this.addSql(`create index "app_user_role_index" on "app_user" ("role");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop type "user_role";`);
  }
}
