import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AccountRef } from '../split/accounts.util';
import type { RemainingPart } from '../split/refund-split.util';
import type { PostingDraft, TransactionDraft } from '../split/sale-split.util';
import { BALANCE_SLOTS } from './account-balance.entity';
import type { AccountType, OwnerKind } from './account.entity';

type Row = Record<string, unknown>;

/** The balance slot of an order's transactions (its id's first 32 bits); slot 0 without an order. */
export function balanceSlotOf(orderId: string | null): number {
  return orderId ? Number.parseInt(orderId.replace(/-/g, '').slice(0, 8), 16) % BALANCE_SLOTS : 0;
}

/** Accounts every sale touches: their rows are locked last in each transaction, so briefly. */
const HOT_OWNERS = new Set<OwnerKind>([
  'payment_clearing',
  'relief_fund',
  'processor_fees',
  'suspense',
  'buyer_refunds',
]);

/**
 * `a`: the account a posting `p` counts for in a line's parts — its own, but for a receivable's,
 * which took from the part of the household's, village collective's or producer's account it stands in for.
 */
export const PART_ACCOUNT_JOIN = `join account o on o.id = p.account_id
  left join account r on o.owner_kind in ('household_recoverable', 'village_recoverable', 'producer_recoverable')
        and r.owner_kind = case o.owner_kind when 'household_recoverable' then 'household'
                                             when 'producer_recoverable' then 'producer'
                                             else 'village_collective' end
        and r.owner_id = o.owner_id and r.currency = o.currency
  join account a on a.id = coalesce(r.id, o.id)`;

/** Whether most sales post to accounts of this owner (their balance rows are locked last). */
export const isHotOwner = (ownerKind: OwnerKind): boolean => HOT_OWNERS.has(ownerKind);

/** A posting as written: its account id, balance slot and dimensions. */
export interface PostingRow {
  account_id: number;
  side: string;
  fen: number;
  role: string;
  slot: number;
  line_id: string | null;
  product_id: string | null;
  producer_id: string | null;
  lot_id: string | null;
}

/**
 * A draft's postings as rows, in the one global order every writer inserts them in (accounts most
 * sales share last, then by id), so that concurrent transactions lock balance rows in the same
 * order and never deadlock.
 */
export function postingRowsOf(draft: TransactionDraft, accountIds: Map<string, number>): PostingRow[] {
  const slot = balanceSlotOf(draft.orderId);
  return draft.postings
    .map((p) => {
      const accountId = accountIds.get(p.account.code);
      if (accountId === undefined) {
        throw new Error(`account ${p.account.code} was not created before posting`);
      }
      return { p, accountId, hot: HOT_OWNERS.has(p.account.ownerKind) ? 1 : 0 };
    })
    .sort((a, b) => a.hot - b.hot || a.accountId - b.accountId)
    .map(({ p, accountId }) => ({
      account_id: accountId,
      side: p.side,
      fen: p.fen,
      role: p.role,
      slot: p.slot ?? slot,
      line_id: p.lineId ?? null,
      product_id: p.productId ?? null,
      producer_id: p.producerId ?? null,
      lot_id: p.lotId ?? null,
    }));
}

/**
 * Every statement on accounts, transactions and postings. Writes are SQL: a transaction and all of
 * its postings go in with two statements, postings in one global order (accounts most sales share
 * last, then by id) so that concurrent transactions lock account rows in the same order and never
 * deadlock. The database checks the rest: balance at commit, totals, append-only.
 */
@Injectable()
export class JournalRepository {
  /** Creates the accounts that do not exist yet (committed at once, outside any posting) and answers every id. */
  async ensureAccounts(
    em: EntityManager,
    refs: AccountRef[],
    townOf: (villageId: string) => string | null,
  ): Promise<Map<string, number>> {
    const unique = [...new Map(refs.map((r) => [r.code, r])).values()];
    if (unique.length === 0) {
      return new Map();
    }
    const rows = unique.map((r) => ({
      code: r.code,
      type: r.type,
      owner_kind: r.ownerKind,
      owner_id: r.ownerId,
      currency: r.currency,
      village_id: r.villageId ?? null,
      town_id: r.villageId ? townOf(r.villageId) : null,
      non_negative: r.nonNegative,
    }));
    await em.execute(
      `insert into account (code, type, owner_kind, owner_id, currency, village_id, town_id, non_negative)
       select code, type, owner_kind, owner_id, currency, village_id, town_id, non_negative
         from jsonb_to_recordset(?::jsonb) as x(code text, type text, owner_kind text, owner_id text, currency text,
                                                 village_id uuid, town_id uuid, non_negative boolean)
       on conflict (code) do nothing`,
      [JSON.stringify(rows)],
      'run',
    );
    const found = await em.execute<Row[]>(
      `select id, code from account where code in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(unique.map((r) => r.code))],
    );
    return new Map(found.map((r) => [String(r.code), Number(r.id)]));
  }

  /**
   * Makes the partitions of `posting` for this month (China's time) and the `ahead` after it that
   * are missing; answers the months made (`2026-12`).
   */
  async ensurePostingMonths(em: EntityManager, ahead: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select to_char(m, 'YYYY-MM') as month
         from (select (ledger_month(now()) + k * interval '1 month')::date as m from generate_series(0, ?::int) k) months
        where ledger_ensure_posting_month(m)`,
      [ahead],
    );
    return rows.map((r) => String(r.month));
  }

  /**
   * Vacuums `account_balance`, the small table every posting statement updates, so that a
   * balance row's look-up reads its live version rather than a growing trail of dead ones. Outside
   * any transaction (VACUUM cannot run in one); skipped when another vacuum of it is running.
   */
  async vacuumBalances(em: EntityManager): Promise<void> {
    await em.getConnection().execute('vacuum (skip_locked) account_balance', [], 'run');
  }

  /**
   * Writes a transaction and its postings in the caller's database transaction. Answers its id,
   * or undefined when a transaction with its idempotency key exists already (nothing written).
   */
  async insertTransaction(
    em: EntityManager,
    draft: TransactionDraft,
    accountIds: Map<string, number>,
  ): Promise<string | undefined> {
    const inserted = await em.execute<Row[]>(
      `insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo, reverses_id)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, null)
       on conflict (idempotency_key) do nothing
       returning id`,
      [draft.idempotencyKey, draft.kind, draft.occurredAt, draft.sourceEventId, draft.orderId, draft.memo],
    );
    const id = inserted[0]?.id as string | undefined;
    if (!id) {
      return undefined;
    }
    const postings = postingRowsOf(draft, accountIds);
    await em.execute(
      `insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
       select ?, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, ledger_month(?::timestamptz)
         from rows from (jsonb_to_recordset(?::jsonb)
              as (account_id bigint, side text, fen bigint, role text, slot smallint, line_id uuid, product_id uuid, producer_id uuid, lot_id uuid))
              with ordinality as x(account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, ord)
        order by ord`,
      [id, draft.occurredAt, JSON.stringify(postings)],
      'run',
    );
    return id;
  }

  /**
   * Locks the balance rows of these accounts in one slot, in the global order of the posting
   * trigger (the caller passes no account most sales share), and answers what each holds (0 for a
   * row not made yet). Read under these locks, a balance stays what was read until commit.
   */
  async lockHeld(em: EntityManager, accountIds: number[], slot: number): Promise<Map<number, number>> {
    const ids = [...new Set(accountIds)].sort((a, b) => a - b);
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await em.execute<Row[]>(
      `select account_id, balance_fen from account_balance
        where slot = ? and account_id in (select (jsonb_array_elements_text(?::jsonb))::bigint)
        order by account_id
          for update`,
      [slot, JSON.stringify(ids)],
    );
    const held = new Map(ids.map((id) => [id, 0]));
    for (const r of rows) {
      held.set(Number(r.account_id), Number(r.balance_fen));
    }
    return held;
  }

  /**
   * What stands of each part of the lines (sale credits less refund debits, a receivable's debits
   * counted against the account it stands in for), per account, role and lot.
   */
  async remainingParts(em: EntityManager, lineIds: string[]): Promise<Map<string, RemainingPart[]>> {
    const rows = await em.execute<Row[]>(
      `select p.line_id, p.product_id, p.producer_id, p.lot_id, p.role,
              a.id as account_id, a.code, a.type, a.owner_kind, a.owner_id, a.currency, a.village_id, a.non_negative,
              sum(case when p.side = 'credit' then p.fen else -p.fen end) as fen
         from posting p ${PART_ACCOUNT_JOIN}
        where p.line_id in (select (jsonb_array_elements_text(?::jsonb))::uuid)
        group by p.line_id, p.product_id, p.producer_id, p.lot_id, p.role, a.id
       having sum(case when p.side = 'credit' then p.fen else -p.fen end) > 0
        order by p.line_id, a.code, p.role, p.lot_id nulls first`,
      [JSON.stringify(lineIds)],
    );
    const out = new Map<string, RemainingPart[]>();
    for (const r of rows) {
      const lineId = String(r.line_id);
      const account: AccountRef = {
        code: String(r.code),
        type: r.type as AccountType,
        ownerKind: r.owner_kind as OwnerKind,
        ownerId: (r.owner_id as string | null) ?? null,
        currency: String(r.currency),
        villageId: (r.village_id as string | null) ?? null,
        nonNegative: Boolean(r.non_negative),
        id: Number(r.account_id),
      };
      const part: Omit<PostingDraft, 'side'> = {
        account,
        fen: Number(r.fen),
        role: r.role as PostingDraft['role'],
        lineId,
        productId: (r.product_id as string | null) ?? null,
        producerId: (r.producer_id as string | null) ?? null,
        lotId: (r.lot_id as string | null) ?? null,
      };
      out.set(lineId, [...(out.get(lineId) ?? []), part]);
    }
    return out;
  }
}
