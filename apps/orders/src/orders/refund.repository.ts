import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RowOf } from '@yugong/shared/orm';
import type { RefundRecord } from './order.repository';
import type { Refund } from './refund.entity';

/** What sending a refund to the provider reads of it. */
export type RefundToSend = Pick<
  RowOf<Refund>,
  'id' | 'orderId' | 'amountFen' | 'reason' | 'status' | 'reference'
>;

/**
 * Every query on refunds. A refund is reserved pending and settled at most once: each statement
 * is conditional on its status, so the webhook, the reconciler and a repeated call may race.
 * Refunds are read with their order (`OrderRepository`); these are the writes and the lookups
 * of the provider's side.
 */
@Injectable()
export class RefundRepository {
  /** Reserves a refund, pending; the caller counts its units on the lines in the same transaction. */
  async insert(em: EntityManager, refund: Omit<RefundRecord, 'createdAt'>, at?: Date): Promise<void> {
    await em.execute(
      `insert into refund (id, order_id, idempotency_key, lines, amount_fen, reason, goods_returned, status,
                           reference, requested_by, created_at)
       values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now()))`,
      [
        refund.id,
        refund.orderId,
        refund.idempotencyKey,
        JSON.stringify(refund.lines),
        refund.amountFen,
        refund.reason,
        refund.goodsReturned,
        refund.status,
        refund.reference,
        refund.requestedBy,
        at ?? null,
      ],
      'run',
    );
  }

  /** Settles a pending refund; answers its order's id, or undefined when it was not pending. */
  async settle(
    em: EntityManager,
    id: string,
    status: 'succeeded' | 'failed',
    reference: string,
  ): Promise<string | undefined> {
    const [row] = await em.execute<{ order_id: string }[]>(
      `update refund set status = ?, reference = ? where id = ? and status = 'pending' returning order_id`,
      [status, reference, id],
    );
    return row?.order_id;
  }

  /** Ids of pending refunds never sent to the provider (a crash or an outage), oldest first. */
  async findUnsent(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<{ id: string }[]>(
      `select id from refund where status = 'pending' and reference like 'pending:%' order by created_at limit ?`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  async findToSend(em: EntityManager, id: string): Promise<RefundToSend | undefined> {
    const [row] = await em.execute<
      {
        id: string;
        order_id: string;
        amount_fen: string;
        reason: string;
        status: string;
        reference: string;
      }[]
    >('select id, order_id, amount_fen, reason, status, reference from refund where id = ?', [id]);
    return (
      row && {
        id: row.id,
        orderId: row.order_id,
        amountFen: Number(row.amount_fen),
        reason: row.reason,
        status: row.status,
        reference: row.reference,
      }
    );
  }

  /** Stores the provider's refund id on a refund still pending. */
  async setProviderReference(em: EntityManager, id: string, reference: string): Promise<void> {
    await em.execute(`update refund set reference = ? where id = ? and status = 'pending'`, [reference, id]);
  }

  /** The id of the order's pending refund that the provider knows by `reference`. */
  async findPendingByReference(
    em: EntityManager,
    orderId: string,
    reference: string,
  ): Promise<string | undefined> {
    const [row] = await em.execute<{ id: string }[]>(
      `select id from refund where order_id = ? and reference = ? and status = 'pending'`,
      [orderId, reference],
    );
    return row?.id;
  }
}
