import { Migration } from '@mikro-orm/migrations';

// Balances moved once per statement instead of once per posting: the row trigger of the journal
// migration updated a balance row for every posting, so a sale of 15 postings made 15 updates
// (and a batch of many sales updated the same busy rows over and over). This statement trigger
// checks every new posting against its transaction, as before, then adds each balance row's sum
// of the statement's postings to it once, the rows locked in one global order (accounts most sales
// share last, then by id and slot) so that concurrent writers never deadlock. The non-negative
// check of each row holds, as before, after every statement.
export class Migration20261202134000_balances_per_statement extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function ledger_apply_postings() returns trigger language plpgsql as $$
declare
  stray uuid;
begin
  -- One look-up by primary key per transaction (a join could be planned as a scan per posting).
  select i.transaction_id into stray
    from (select distinct transaction_id from inserted) i
   where not coalesce((select t.txid = pg_current_xact_id() from journal_transaction t where t.id = i.transaction_id), false)
   limit 1;
  if found then
    raise exception 'ledger: posting to transaction % outside the database transaction that created it', stray
      using errcode = '55000';
  end if;
  insert into account_balance (account_id, slot, normal_debit, non_negative)
  select m.account_id, m.slot, a.type in ('asset', 'expense'), a.non_negative
    from (select distinct account_id, slot from inserted) m join account a on a.id = m.account_id
   where not exists (select 1 from account_balance b where b.account_id = m.account_id and b.slot = m.slot)
   order by m.account_id, m.slot
  on conflict (account_id, slot) do nothing;
  perform 1
     from account_balance b
     join (select distinct account_id, slot from inserted) m on m.account_id = b.account_id and m.slot = b.slot
     join account a on a.id = b.account_id
    order by a.owner_kind in ('payment_clearing', 'relief_fund', 'processor_fees', 'suspense', 'buyer_refunds'),
             b.account_id, b.slot
      for update of b;
  update account_balance b
     set debit_fen = b.debit_fen + d.debit,
         credit_fen = b.credit_fen + d.credit,
         balance_fen = b.balance_fen + case when b.normal_debit then d.debit - d.credit else d.credit - d.debit end
    from (select account_id, slot,
                 sum(case when side = 'debit' then fen else 0 end) as debit,
                 sum(case when side = 'credit' then fen else 0 end) as credit
            from inserted group by account_id, slot) d
   where b.account_id = d.account_id and b.slot = d.slot;
  return null;
end $$;`);
    this.addSql(`drop trigger posting_apply on "posting";`);
    this.addSql(`create trigger posting_apply after insert on "posting" referencing new table as inserted for each statement execute function ledger_apply_postings();`);
    this.addSql(`drop function ledger_apply_posting();`);
  }

  override async down(): Promise<void> {
    throw new Error('the row trigger of the journal migration is not restored: restore a backup instead');
  }
}
