import { Migration } from '@mikro-orm/migrations';

// Generated from the entities, then the rules the journal rests on, written by hand below: foreign
// keys, the balance check at commit, append-only journal tables, and the account balances kept by
// the posting trigger.
export class Migration20261202082915_journal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "account" ("id" bigserial primary key, "code" text not null, "type" text not null, "owner_kind" text not null, "owner_id" text null, "currency" char(3) not null, "village_id" uuid null, "town_id" uuid null, "non_negative" boolean not null, "created_at" timestamptz not null, constraint account_type_known check (type in ('asset', 'liability', 'expense')));`);
    this.addSql(`alter table "account" add constraint "account_code_unique" unique ("code");`);
    this.addSql(`create index "account_owner" on "account" ("owner_kind", "owner_id");`);

    this.addSql(`create table "account_balance" ("account_id" bigint not null, "slot" smallint not null, "normal_debit" boolean not null, "non_negative" boolean not null, "debit_fen" bigint not null default 0, "credit_fen" bigint not null default 0, "balance_fen" bigint not null default 0, constraint "account_balance_pkey" primary key ("account_id", "slot"), constraint account_balance_non_negative check (not non_negative or balance_fen >= 0), constraint account_balance_matches_totals check (balance_fen = case when normal_debit then debit_fen - credit_fen else credit_fen - debit_fen end));`);

    this.addSql(`create table "applied_event" ("event_id" uuid not null, "order_id" uuid not null, "sequence" int not null, "type" text not null, "outbox_id" bigint not null, "applied_at" timestamptz not null default now(), constraint "applied_event_pkey" primary key ("event_id"));`);
    this.addSql(`alter table "applied_event" add constraint "applied_event_order_sequence" unique ("order_id", "sequence");`);

    this.addSql(`create table "chain_link" ("seq" bigint not null, "transaction_id" uuid not null, "prev_hash" char(64) not null, "hash" char(64) not null, "sealed_at" timestamptz not null default now(), constraint "chain_link_pkey" primary key ("seq"), constraint chain_link_hashes_hex check (hash ~ '^[0-9a-f]{64}\$' and prev_hash ~ '^[0-9a-f]{64}\$'));`);
    this.addSql(`alter table "chain_link" add constraint "chain_link_transaction_id_unique" unique ("transaction_id");`);

    this.addSql(`create table "consumer_cursor" ("name" text not null, "after_id" bigint not null, constraint "consumer_cursor_pkey" primary key ("name"));`);

    this.addSql(`create table "journal_transaction" ("id" uuid not null, "idempotency_key" text not null, "kind" text not null, "occurred_at" timestamptz not null, "recorded_at" timestamptz not null default now(), "source_event_id" uuid null, "order_id" uuid null, "memo" text not null, "reverses_id" uuid null, "txid" xid8 not null default pg_current_xact_id(), constraint "journal_transaction_pkey" primary key ("id"));`);
    this.addSql(`alter table "journal_transaction" add constraint "journal_transaction_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "journal_transaction_txid" on "journal_transaction" ("txid");`);
    this.addSql(`create index "journal_transaction_order" on "journal_transaction" ("order_id");`);

    this.addSql(`create table "posting" ("id" bigserial primary key, "transaction_id" uuid not null, "account_id" bigint not null, "side" text not null, "fen" bigint not null, "role" text not null, "slot" smallint not null, "line_id" uuid null, "product_id" uuid null, "producer_id" uuid null, "lot_id" uuid null, constraint posting_slot_known check (slot >= 0 and slot < 16), constraint posting_side_known check (side in ('debit', 'credit')), constraint posting_fen_positive check (fen > 0));`);
    this.addSql(`create index "posting_lot" on "posting" ("lot_id");`);
    this.addSql(`create index "posting_line" on "posting" ("line_id");`);
    this.addSql(`create index "posting_account" on "posting" ("account_id");`);
    this.addSql(`create index "posting_transaction" on "posting" ("transaction_id");`);

    this.addSql(`create table "sale_line" ("line_id" uuid not null, "order_id" uuid not null, "buyer_id" uuid not null, "product_id" uuid not null, "producer_id" uuid not null, "quantity" bigint not null, "gross_fen" bigint not null, "currency" char(3) not null, "household_share_bps" int not null, "household_basis" text not null, "lots" jsonb not null, "paid_at" timestamptz not null, constraint "sale_line_pkey" primary key ("line_id"));`);
    this.addSql(`create index "sale_line_order" on "sale_line" ("order_id");`);
    this.addSql(`alter table "account" alter column "created_at" set default now();`);
    this.addSql(`alter table "posting" add constraint "posting_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "posting" add constraint "posting_account_fk" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`alter table "journal_transaction" add constraint "journal_transaction_reverses_fk" foreign key ("reverses_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "chain_link" add constraint "chain_link_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);

    // Append-only: no UPDATE, DELETE or TRUNCATE of the journal, whoever asks (a superuser can only
    // get past this by disabling the trigger, and the hash chain then shows what changed).
    this.addSql(`create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger: % on % refused: the journal is append-only, post a reversing transaction', tg_op, tg_table_name
    using errcode = '55000';
end $$;`);
    for (const table of ['journal_transaction', 'posting', 'chain_link', 'applied_event', 'sale_line']) {
      this.addSql(`create trigger ${table}_append_only before update or delete on "${table}" for each row execute function ledger_refuse_change();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on "${table}" for each statement execute function ledger_refuse_change();`);
      this.addSql(`revoke update, delete, truncate on "${table}" from public;`);
    }

    // Every transaction balances, per currency, with at least two postings: checked at commit, once
    // every posting of it is in.
    this.addSql(`create function ledger_check_balanced() returns trigger language plpgsql as $$
declare
  postings int;
  unbalanced record;
begin
  select count(*) into postings from posting where transaction_id = new.id;
  if postings < 2 then
    raise exception 'ledger: transaction % (%) has % posting(s); at least two are needed', new.id, new.idempotency_key, postings
      using errcode = '23514';
  end if;
  select a.currency, sum(case when p.side = 'debit' then p.fen else -p.fen end) as difference into unbalanced
    from posting p join account a on a.id = p.account_id
   where p.transaction_id = new.id
   group by a.currency
  having sum(case when p.side = 'debit' then p.fen else -p.fen end) <> 0
   limit 1;
  if found then
    raise exception 'ledger: transaction % (%) does not balance in %: debits - credits = %',
      new.id, new.idempotency_key, unbalanced.currency, unbalanced.difference using errcode = '23514';
  end if;
  return null;
end $$;`);
    this.addSql(`create constraint trigger journal_transaction_balanced after insert on "journal_transaction" deferrable initially deferred for each row execute function ledger_check_balanced();`);

    // A posting joins only a transaction created in the same database transaction (so none can be
    // added to a transaction already checked), and moves its account's totals right there.
    this.addSql(`create function ledger_apply_posting() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from journal_transaction t where t.id = new.transaction_id and t.txid = pg_current_xact_id()) then
    raise exception 'ledger: posting to transaction % outside the database transaction that created it', new.transaction_id
      using errcode = '55000';
  end if;
  -- The balance row usually exists: update it; else create it with this posting, and should a
  -- concurrent first posting have created it meanwhile, update that one.
  update account_balance b
     set debit_fen = b.debit_fen + case when new.side = 'debit' then new.fen else 0 end,
         credit_fen = b.credit_fen + case when new.side = 'credit' then new.fen else 0 end,
         balance_fen = b.balance_fen + case when b.normal_debit = (new.side = 'debit') then new.fen else -new.fen end
   where b.account_id = new.account_id and b.slot = new.slot;
  if not found then
    insert into account_balance (account_id, slot, normal_debit, non_negative, debit_fen, credit_fen, balance_fen)
    select a.id, new.slot, a.type in ('asset', 'expense'), a.non_negative,
           case when new.side = 'debit' then new.fen else 0 end,
           case when new.side = 'credit' then new.fen else 0 end,
           case when (a.type in ('asset', 'expense')) = (new.side = 'debit') then new.fen else -new.fen end
      from account a where a.id = new.account_id
    on conflict (account_id, slot) do nothing;
    if not found then
      update account_balance b
         set debit_fen = b.debit_fen + case when new.side = 'debit' then new.fen else 0 end,
             credit_fen = b.credit_fen + case when new.side = 'credit' then new.fen else 0 end,
             balance_fen = b.balance_fen + case when b.normal_debit = (new.side = 'debit') then new.fen else -new.fen end
       where b.account_id = new.account_id and b.slot = new.slot;
    end if;
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger posting_apply before insert on "posting" for each row execute function ledger_apply_posting();`);

    // Only postings move an account's totals; an account keeps its code, type and currency.
    this.addSql(`create function ledger_guard_account() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'ledger: accounts are never deleted' using errcode = '55000';
  end if;
  if (new.type, new.currency, new.code, new.non_negative) is distinct from (old.type, old.currency, old.code, old.non_negative) then
    raise exception 'ledger: account % keeps its code, type and currency', old.code using errcode = '55000';
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger account_guard before update or delete on "account" for each row execute function ledger_guard_account();`);
    this.addSql(`create function ledger_guard_balance() returns trigger language plpgsql as $$
begin
  if pg_trigger_depth() < 2 then
    raise exception 'ledger: account balances change only through postings' using errcode = '55000';
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger account_balance_guard before insert or update or delete on "account_balance" for each row execute function ledger_guard_balance();`);
    this.addSql(`create trigger account_balance_no_truncate before truncate on "account_balance" for each statement execute function ledger_refuse_change();`);
    this.addSql(`alter table "account_balance" add constraint "account_balance_account_fk" foreign key ("account_id") references "account" ("id");`);

    // Every account with its totals over its balance rows.
    this.addSql(`create view account_totals as
  select a.id, a.code, a.type, a.owner_kind, a.owner_id, a.currency, a.village_id, a.town_id, a.non_negative,
         coalesce(sum(b.debit_fen), 0)::bigint as debit_fen,
         coalesce(sum(b.credit_fen), 0)::bigint as credit_fen,
         coalesce(sum(b.balance_fen), 0)::bigint as balance_fen
    from account a left join account_balance b on b.account_id = a.id
   group by a.id;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists account_totals;`);
    this.addSql(`drop function if exists ledger_refuse_change, ledger_check_balanced, ledger_apply_posting, ledger_guard_account, ledger_guard_balance cascade;`);
    this.addSql(`drop table if exists "account" cascade;`);

    this.addSql(`drop table if exists "account_balance" cascade;`);

    this.addSql(`drop table if exists "applied_event" cascade;`);

    this.addSql(`drop table if exists "chain_link" cascade;`);

    this.addSql(`drop table if exists "consumer_cursor" cascade;`);

    this.addSql(`drop table if exists "journal_transaction" cascade;`);

    this.addSql(`drop table if exists "posting" cascade;`);

    this.addSql(`drop table if exists "sale_line" cascade;`);
  }

}
