import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { balanceSlotOf } from '../journal/journal.repository';
import type { UnallocatedPart } from './allocation-plan.util';
import { Allocation } from './allocation.entity';
import { SuspenseSettlement } from './suspense-settlement.entity';

type Row = Record<string, unknown>;

/** A payment held in suspense, with its settlement when there is one. */
export interface SuspenseRow {
  transactionId: string;
  idempotencyKey: string;
  orderId: string | null;
  memo: string;
  occurredAt: Date;
  fen: number;
  currency: string;
  settlement?: Pick<SuspenseSettlement, 'outcome' | 'reason' | 'settledBy' | 'settledAt' | 'transactionId'>;
}

/** Every query of the relief office's adjustments: unallocated shares and suspense. */
@Injectable()
export class AdjustmentsRepository {
  /** One allocation of a producer at a time. */
  async lockProducer(tx: EntityManager, producerId: string): Promise<void> {
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended(?, 10))`, [`allocation:${producerId}`]);
  }

  /** What stands of the unallocated share per sale line (and lot), oldest sale first. */
  async unallocatedParts(
    em: EntityManager,
    accountCode: string,
  ): Promise<(UnallocatedPart & { orderId: string })[]> {
    const rows = await em.execute<Row[]>(
      `select p.line_id, s.order_id, p.product_id, p.producer_id, p.lot_id,
              sum(case when p.side = 'credit' then p.fen else -p.fen end) as fen
         from posting p
         join account a on a.id = p.account_id
         join sale_line s on s.line_id = p.line_id
        where a.code = ?
        group by p.line_id, s.order_id, s.paid_at, p.product_id, p.producer_id, p.lot_id
       having sum(case when p.side = 'credit' then p.fen else -p.fen end) > 0
        order by s.paid_at, p.line_id, p.lot_id nulls first`,
      [accountCode],
    );
    return rows.map((r) => ({
      orderId: String(r.order_id),
      lineId: String(r.line_id),
      productId: (r.product_id as string | null) ?? null,
      producerId: (r.producer_id as string | null) ?? null,
      lotId: (r.lot_id as string | null) ?? null,
      slot: balanceSlotOf(String(r.order_id)),
      fen: Number(r.fen),
    }));
  }

  /** Producers whose unallocated household share holds money, with how much. */
  async unallocatedBalances(
    em: EntityManager,
  ): Promise<{ producerId: string; fen: number; currency: string }[]> {
    const rows = await em.execute<Row[]>(
      `select owner_id, balance_fen, currency from account_totals
        where owner_kind = 'household_unallocated' and balance_fen > 0 order by owner_id`,
    );
    return rows.map((r) => ({
      producerId: String(r.owner_id),
      fen: Number(r.balance_fen),
      currency: String(r.currency),
    }));
  }

  async findAllocation(em: EntityManager, idempotencyKey: string): Promise<Allocation | null> {
    return em.findOne(Allocation, { idempotencyKey });
  }

  async insertAllocation(tx: EntityManager, row: Omit<Allocation, 'createdAt'>): Promise<void> {
    await tx.insert(Allocation, row);
  }

  /** The households a transaction credited, with their villages and fen. */
  async householdCredits(
    em: EntityManager,
    transactionId: string,
  ): Promise<{ householdId: string; villageId: string | null; fen: number }[]> {
    const rows = await em.execute<Row[]>(
      `select a.owner_id, a.village_id, sum(p.fen) as fen from posting p join account a on a.id = p.account_id
        where p.transaction_id = ? and p.side = 'credit' and a.owner_kind = 'household'
        group by a.owner_id, a.village_id order by a.owner_id`,
      [transactionId],
    );
    return rows.map((r) => ({
      householdId: String(r.owner_id),
      villageId: (r.village_id as string | null) ?? null,
      fen: Number(r.fen),
    }));
  }

  /** Payments put in suspense, newest first, or the one with this transaction id. */
  async suspense(em: EntityManager, transactionId?: string): Promise<SuspenseRow[]> {
    const rows = await em.execute<Row[]>(
      `select t.id, t.idempotency_key, t.order_id, t.memo, t.occurred_at, p.fen, a.currency,
              s.outcome, s.reason, s.settled_by, s.settled_at, s.transaction_id as settlement_id
         from journal_transaction t
         join posting p on p.transaction_id = t.id and p.side = 'credit'
         join account a on a.id = p.account_id and a.owner_kind = 'suspense'
         left join suspense_settlement s on s.suspense_transaction_id = t.id
        where t.kind = 'payment_unmatched' ${transactionId ? 'and t.id = ?' : ''}
        order by t.occurred_at desc, t.id
        limit 1000`,
      transactionId ? [transactionId] : [],
    );
    return rows.map((r) => ({
      transactionId: String(r.id),
      idempotencyKey: String(r.idempotency_key),
      orderId: (r.order_id as string | null) ?? null,
      memo: String(r.memo),
      occurredAt: new Date(r.occurred_at as string),
      fen: Number(r.fen),
      currency: String(r.currency),
      settlement: r.outcome
        ? {
            outcome: r.outcome as SuspenseSettlement['outcome'],
            reason: String(r.reason),
            settledBy: String(r.settled_by),
            settledAt: new Date(r.settled_at as string),
            transactionId: String(r.settlement_id),
          }
        : undefined,
    }));
  }

  /** Records the settlement; its primary key refuses a second one of the same payment. */
  async insertSettlement(tx: EntityManager, row: Omit<SuspenseSettlement, 'settledAt'>): Promise<void> {
    await tx.insert(SuspenseSettlement, row);
  }
}
