import { Migration } from '@mikro-orm/migrations';

export class Migration20261202131937_relief_office extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "allocation" ("idempotency_key" text not null, "producer_id" uuid not null, "request_hash" text not null, "transaction_id" uuid not null, "allocated_by" uuid not null, "reason" text not null, "created_at" timestamptz not null default now(), constraint "allocation_pkey" primary key ("idempotency_key"));`);
    this.addSql(`create index "allocation_producer" on "allocation" ("producer_id");`);

    this.addSql(`create table "distribution_run" ("id" uuid not null, "state" text not null default 'proposed', "policy" text not null, "town_id" uuid null, "village_id" uuid null, "status_filter" text null, "status_weights" jsonb not null, "all_available" boolean not null, "total_fen" bigint not null, "recipients" int not null, "currency" char(3) not null, "memo" text not null, "idempotency_key" text null, "proposed_by" uuid not null, "proposed_at" timestamptz not null default now(), "decided_by" uuid null, "decided_at" timestamptz null, "decision_reason" text null, "transaction_id" uuid null, constraint "distribution_run_pkey" primary key ("id"), constraint distribution_run_total_positive check (total_fen > 0 and recipients > 0), constraint distribution_run_decided check ((state = 'proposed') = (decided_by is null) and (state = 'approved') = (transaction_id is not null)), constraint distribution_run_four_eyes check (state <> 'approved' or decided_by <> proposed_by), constraint distribution_run_policy_known check (policy in ('equal', 'per_member', 'by_status')), constraint distribution_run_state_known check (state in ('proposed', 'approved', 'rejected', 'cancelled')));`);
    this.addSql(`create index "distribution_run_state" on "distribution_run" ("state", "proposed_at");`);
    this.addSql(`alter table "distribution_run" add constraint "distribution_run_idempotency" unique ("proposed_by", "idempotency_key");`);

    this.addSql(`create table "distribution_share" ("run_id" uuid not null, "household_id" uuid not null, "village_id" uuid not null, "town_id" uuid not null, "members" int not null, "status" text not null, "weight" bigint not null, "fen" bigint not null, constraint "distribution_share_pkey" primary key ("run_id", "household_id"), constraint distribution_share_fen check (fen >= 0 and weight >= 0 and members >= 0));`);

    this.addSql(`create table "suspense_settlement" ("suspense_transaction_id" uuid not null, "outcome" text not null, "reason" text not null, "settled_by" uuid not null, "settled_at" timestamptz not null default now(), "transaction_id" uuid not null, constraint "suspense_settlement_pkey" primary key ("suspense_transaction_id"), constraint suspense_settlement_outcome_known check (outcome in ('returned', 'accepted')));`);

    this.addSql(`alter table "distribution_share" add constraint "distribution_share_run_fk" foreign key ("run_id") references "distribution_run" ("id");`);
    this.addSql(`alter table "distribution_run" add constraint "distribution_run_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "suspense_settlement" add constraint "suspense_settlement_suspense_fk" foreign key ("suspense_transaction_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "suspense_settlement" add constraint "suspense_settlement_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "allocation" add constraint "allocation_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);

    // What was decided stays decided: a preview, an allocation and a settlement are never changed,
    // and a run leaves proposed once (approved, rejected or cancelled) and never moves again.
    for (const table of ['distribution_share', 'allocation', 'suspense_settlement']) {
      this.addSql(`create trigger ${table}_append_only before update or delete on "${table}" for each row execute function ledger_refuse_change();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on "${table}" for each statement execute function ledger_refuse_change();`);
    }
    this.addSql(`create function ledger_guard_distribution_run() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or old.state <> 'proposed' then
    raise exception 'ledger: distribution run % is %: it no longer changes', old.id, old.state using errcode = '55000';
  end if;
  if (new.policy, new.total_fen, new.recipients, new.proposed_by, new.currency) is distinct from
     (old.policy, old.total_fen, old.recipients, old.proposed_by, old.currency) then
    raise exception 'ledger: distribution run % keeps what was proposed', old.id using errcode = '55000';
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger distribution_run_guard before update or delete on "distribution_run" for each row execute function ledger_guard_distribution_run();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "allocation" cascade;`);

    this.addSql(`drop table if exists "distribution_run" cascade;`);

    this.addSql(`drop table if exists "distribution_share" cascade;`);

    this.addSql(`drop table if exists "suspense_settlement" cascade;`);
    this.addSql(`drop function if exists ledger_guard_distribution_run cascade;`);
  }

}
