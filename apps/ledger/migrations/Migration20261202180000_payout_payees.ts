import { Migration } from '@mikro-orm/migrations';

// Payout lines name a payee, a household or a producer: `household_id` becomes `payee_id` with a
// `payee_kind` (every existing line a household's). The primary key, the one-open-batch index and
// the guard trigger take the kind; nothing else changes.
export class Migration20261202180000_payout_payees extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "payout_line" add column "payee_kind" text not null default 'household';`);
    this.addSql(`alter table "payout_line" alter column "payee_kind" drop default;`);
    this.addSql(`alter table "payout_line" rename column "household_id" to "payee_id";`);
    this.addSql(`alter table "payout_line" add constraint payout_line_payee_kind check (payee_kind in ('household', 'producer'));`);
    this.addSql(`alter table "payout_line" drop constraint "payout_line_pkey";`);
    this.addSql(`alter table "payout_line" add constraint "payout_line_pkey" primary key ("batch_id", "payee_kind", "payee_id");`);
    this.addSql(`drop index "payout_line_household";`);
    this.addSql(`create index "payout_line_payee" on "payout_line" ("payee_id");`);
    // The same fen is never reserved twice: a payee is in one open batch at most.
    this.addSql(`drop index "payout_line_one_open";`);
    this.addSql(`create unique index "payout_line_one_open" on "payout_line" ("payee_kind", "payee_id") where status in ('reserved', 'in_transit');`);
    this.addSql(`create or replace function ledger_guard_payout() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'payout rows are never deleted' using errcode = '42501';
  end if;
  if tg_table_name = 'payout_batch' then
    if not (old.state = new.state
            or (old.state = 'draft' and new.state = 'sent')
            or (old.state = 'sent' and new.state = 'settled')) then
      raise exception 'payout batch % cannot move from % to %', old.id, old.state, new.state using errcode = '23514';
    end if;
    if old.id <> new.id or old.number <> new.number or old.total_fen <> new.total_fen or old.created_by <> new.created_by then
      raise exception 'a payout batch keeps its id, number, total and creator' using errcode = '23514';
    end if;
  else
    if not (old.status = new.status
            or (old.status = 'reserved' and new.status = 'in_transit')
            or (old.status = 'in_transit' and new.status in ('paid', 'failed'))) then
      raise exception 'payout line cannot move from % to %', old.status, new.status using errcode = '23514';
    end if;
    if old.amount_fen <> new.amount_fen or old.payee_id <> new.payee_id or old.payee_kind <> new.payee_kind
       or old.batch_id <> new.batch_id or old.reference is distinct from new.reference then
      raise exception 'a payout line keeps its payee, amount and reference' using errcode = '23514';
    end if;
  end if;
  return new;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "payout_line" where payee_kind = 'producer';`);
    this.addSql(`drop index "payout_line_one_open";`);
    this.addSql(`alter table "payout_line" drop constraint "payout_line_pkey";`);
    this.addSql(`alter table "payout_line" drop constraint payout_line_payee_kind;`);
    this.addSql(`alter table "payout_line" drop column "payee_kind";`);
    this.addSql(`alter table "payout_line" rename column "payee_id" to "household_id";`);
    this.addSql(`alter table "payout_line" add constraint "payout_line_pkey" primary key ("batch_id", "household_id");`);
    this.addSql(`drop index "payout_line_payee";`);
    this.addSql(`create index "payout_line_household" on "payout_line" ("household_id");`);
    this.addSql(`create unique index "payout_line_one_open" on "payout_line" ("household_id") where status in ('reserved', 'in_transit');`);
  }
}
