import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AccountRef } from '../split/accounts.util';
import { PayoutBatch, type BatchState } from './payout-batch.entity';
import { PayoutLine } from './payout-line.entity';
import type { PayeeKind } from './payout-line.entity';
import type { PayeeFunds } from './payout-plan.util';

type Row = Record<string, unknown>;

/** A PostgreSQL array literal (knex would spread a JS array into a list of parameters). */
const pgArray = (values: (string | number)[]) =>
  `{${values.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

const payeeRef = (kind: PayeeKind, r: Row): AccountRef => ({
  id: Number(r.id),
  code: String(r.code),
  type: 'liability',
  ownerKind: kind,
  ownerId: String(r.owner_id),
  currency: 'CNY',
  villageId: (r.village_id as string | null) ?? null,
  nonNegative: true,
});

/**
 * The account a payee kind is paid from: a household's benefit account, a producer's payable
 * (`producer:<id>:payable`); each is the one account of its owner kind and owner in CNY.
 */
const OWNER_KIND: Record<PayeeKind, string> = { household: 'household', producer: 'producer' };

/** Every query of payout batches. */
@Injectable()
export class PayoutsRepository {
  /** Batches are made one at a time, so that two never read the same balance as free. */
  async lockCreation(tx: EntityManager): Promise<void> {
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended('payouts:create', 10))`);
  }

  /**
   * Payees of the kind whose balance (CNY: a household's benefit account, a producer's payable)
   * is at least the minimum and that are in no open batch, with what each balance row holds; in
   * id order.
   */
  async eligible(
    em: EntityManager,
    kind: PayeeKind,
    minimumFen: number,
    limit: number,
  ): Promise<PayeeFunds[]> {
    if (limit <= 0) {
      return [];
    }
    const accounts = await em.execute<Row[]>(
      `select t.id, t.code, t.owner_id, t.village_id
         from account_totals t
        where t.owner_kind = ? and t.currency = 'CNY' and t.balance_fen >= ?
          and not exists (select 1 from payout_line l
                           where l.payee_kind = ? and l.payee_id = t.owner_id::uuid
                             and l.status in ('reserved', 'in_transit'))
        order by t.owner_id
        limit ?`,
      [OWNER_KIND[kind], minimumFen, kind, limit],
    );
    if (accounts.length === 0) {
      return [];
    }
    const slots = await em.execute<Row[]>(
      `select account_id, slot, balance_fen from account_balance
        where account_id = any(?::bigint[]) and balance_fen > 0 order by account_id, slot`,
      [pgArray(accounts.map((a) => Number(a.id)))],
    );
    const byAccount = new Map<number, { slot: number; fen: number }[]>();
    for (const s of slots) {
      const list = byAccount.get(Number(s.account_id)) ?? [];
      list.push({ slot: Number(s.slot), fen: Number(s.balance_fen) });
      byAccount.set(Number(s.account_id), list);
    }
    return accounts.map((a) => ({
      payeeKind: kind,
      payeeId: String(a.owner_id),
      account: payeeRef(kind, a),
      slots: byAccount.get(Number(a.id)) ?? [],
    }));
  }

  /** The accounts (CNY) these payees of the kind are paid from, by payee id. */
  async payeeAccounts(
    em: EntityManager,
    kind: PayeeKind,
    payeeIds: string[],
  ): Promise<Map<string, AccountRef>> {
    if (payeeIds.length === 0) {
      return new Map();
    }
    const rows = await em.execute<Row[]>(
      `select id, code, owner_id, village_id from account
        where owner_kind = ? and currency = 'CNY' and owner_id = any(?::text[])`,
      [OWNER_KIND[kind], pgArray(payeeIds)],
    );
    return new Map(rows.map((r) => [String(r.owner_id), payeeRef(kind, r)]));
  }

  /** Inserts the batch and its lines; returns the batch's number. */
  async insert(
    tx: EntityManager,
    batch: Omit<PayoutBatch, 'number'>,
    lines: (seqOf: number) => PayoutLine[],
  ): Promise<number> {
    const rows = await tx.execute<Row[]>(
      `insert into payout_batch (id, state, minimum_fen, total_fen, line_count, skipped_count, memo, created_by)
       values (?, 'draft', ?, ?, ?, ?, ?, ?) returning number`,
      [
        batch.id,
        batch.minimumFen,
        batch.totalFen,
        batch.lineCount,
        batch.skippedCount,
        batch.memo,
        batch.createdBy,
      ],
    );
    const number = Number(rows[0]!.number);
    const built = lines(number);
    if (built.length > 0) {
      await tx.insertMany(PayoutLine, built);
    }
    return number;
  }

  async find(em: EntityManager, id: string): Promise<PayoutBatch | null> {
    return em.findOne(PayoutBatch, { id }, { disableIdentityMap: true });
  }

  async lines(em: EntityManager, batchId: string): Promise<PayoutLine[]> {
    return em.find(PayoutLine, { batchId }, { orderBy: { seq: 'asc' }, disableIdentityMap: true });
  }

  async list(em: EntityManager, state?: BatchState): Promise<PayoutBatch[]> {
    return em.find(PayoutBatch, state ? { state } : {}, {
      orderBy: { number: 'desc' },
      limit: 500,
      disableIdentityMap: true,
    });
  }

  /** draft → sent, and its reserved lines in transit; false when the batch was not a draft. */
  async markSent(tx: EntityManager, id: string, by: string): Promise<boolean> {
    const rows = await tx.execute<Row[]>(
      `update payout_batch set state = 'sent', sent_by = ?, sent_at = now()
        where id = ? and state = 'draft' returning id`,
      [by, id],
    );
    if (rows.length !== 1) {
      return false;
    }
    await tx.execute(
      `update payout_line set status = 'in_transit' where batch_id = ? and status = 'reserved'`,
      [id],
    );
    return true;
  }

  /**
   * sent → settled: the lines named failed, the other lines in transit paid. Returns the failed
   * lines, or undefined when the batch was not sent (settled meanwhile).
   */
  async settle(
    tx: EntityManager,
    id: string,
    by: string,
    failedReferences: string[],
  ): Promise<
    { failed: { payeeKind: PayeeKind; payeeId: string; fen: number }[]; paidFen: number } | undefined
  > {
    const moved = await tx.execute<Row[]>(
      `update payout_batch set state = 'settled', settled_by = ?, settled_at = now()
        where id = ? and state = 'sent' returning id`,
      [by, id],
    );
    if (moved.length !== 1) {
      return undefined;
    }
    const failed = await tx.execute<Row[]>(
      `update payout_line set status = 'failed'
        where batch_id = ? and status = 'in_transit' and reference = any(?::text[])
        returning payee_kind, payee_id, amount_fen`,
      [id, pgArray(failedReferences)],
    );
    const paid = await tx.execute<Row[]>(
      `update payout_line set status = 'paid' where batch_id = ? and status = 'in_transit' returning amount_fen`,
      [id],
    );
    const paidFen = paid.reduce((s, r) => s + Number(r.amount_fen), 0);
    const failedFen = failed.reduce((s, r) => s + Number(r.amount_fen), 0);
    await tx.execute(`update payout_batch set paid_fen = ?, failed_fen = ? where id = ?`, [
      paidFen,
      failedFen,
      id,
    ]);
    return {
      failed: failed.map((r) => ({
        payeeKind: String(r.payee_kind) as PayeeKind,
        payeeId: String(r.payee_id),
        fen: Number(r.amount_fen),
      })),
      paidFen,
    };
  }
}
