import { Migration } from '@mikro-orm/migrations';

// Payout batches and their lines. Generated, then trimmed of the generator's noise about
// constraints it does not model, and given what entities cannot say: a household in one open
// batch at most, and states that only move forward (draft → sent → settled; a line reserved →
// in transit → paid or failed), whoever writes.
export class Migration20261202142008_payouts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "payout_batch" ("id" uuid not null, "number" bigserial, "state" text not null default 'draft', "minimum_fen" bigint not null, "total_fen" bigint not null, "line_count" int not null, "skipped_count" int not null, "paid_fen" bigint not null default 0, "failed_fen" bigint not null default 0, "memo" text not null, "created_by" uuid not null, "created_at" timestamptz not null default now(), "sent_by" uuid null, "sent_at" timestamptz null, "settled_by" uuid null, "settled_at" timestamptz null, constraint "payout_batch_pkey" primary key ("id"), constraint payout_batch_moves_recorded check ((state = 'draft') = (sent_at is null) and (state = 'settled') = (settled_at is not null) and minimum_fen > 0 and total_fen >= 0), constraint payout_batch_state_known check (state in ('draft', 'sent', 'settled')));`);
    this.addSql(`alter table "payout_batch" add constraint "payout_batch_number_unique" unique ("number");`);
    this.addSql(`create index "payout_batch_state" on "payout_batch" ("state", "created_at");`);

    this.addSql(`create table "payout_line" ("batch_id" uuid not null, "household_id" uuid not null, "seq" int not null, "reference" text null, "amount_fen" bigint not null, "status" text not null, "skip_reason" text null, constraint "payout_line_pkey" primary key ("batch_id", "household_id"), constraint payout_line_amount check ((status = 'skipped') = (amount_fen = 0 and reference is null) and amount_fen >= 0), constraint payout_line_status_known check (status in ('reserved', 'in_transit', 'paid', 'failed', 'skipped')));`);
    this.addSql(`alter table "payout_line" add constraint "payout_line_reference_unique" unique ("reference");`);
    this.addSql(`create index "payout_line_household" on "payout_line" ("household_id");`);
    // The same fen is never reserved twice: a household is in one open batch at most.
    this.addSql(`create unique index "payout_line_one_open" on "payout_line" ("household_id") where status in ('reserved', 'in_transit');`);
    this.addSql(`create function ledger_guard_payout() returns trigger language plpgsql as $$
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
    if old.amount_fen <> new.amount_fen or old.household_id <> new.household_id or old.batch_id <> new.batch_id
       or old.reference is distinct from new.reference then
      raise exception 'a payout line keeps its household, amount and reference' using errcode = '23514';
    end if;
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger payout_batch_guard before update or delete on "payout_batch" for each row execute function ledger_guard_payout();`);
    this.addSql(`create trigger payout_line_guard before update or delete on "payout_line" for each row execute function ledger_guard_payout();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payout_line" cascade;`);
    this.addSql(`drop table if exists "payout_batch" cascade;`);
    this.addSql(`drop function if exists ledger_guard_payout();`);
  }
}
