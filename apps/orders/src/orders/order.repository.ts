// Over 400 lines on purpose: every statement on customer_order and order_line, the rows one order
// lock guards, stays in one file so that what each statement locks can be read in one place.
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preparedQuery, type RowOf } from '@yugong/shared/orm';
import { BUYER_USAGE_SQL, usageOfRow, type BuyerUsage } from '../buyers/buyer-allowance.repository';
import type { OrderLine } from './order-line.entity';
import type { Order, OrderStatusName, PaymentMethodName } from './order.entity';
import type { Refund, RefundLineAmount } from './refund.entity';

/**
 * An order line as the order queries return it. Lines come aggregated as JSON, so `shippedAt`
 * arrives as text.
 */
export type OrderLineRecord = Omit<RowOf<OrderLine>, 'orderId' | 'shippedAt'> & { shippedAt: string | null };

/** A refund as the order queries return it; aggregated as JSON, so `createdAt` arrives as text. */
export type RefundRecord = Omit<RowOf<Refund>, 'createdAt'> & { createdAt: string };

/** An order with its lines and refunds, as every order query returns it. */
export type OrderRecord = Omit<RowOf<Order>, 'paymentFailureAt' | 'paymentCheckedAt'> & {
  lines: OrderLineRecord[];
  refunds: RefundRecord[];
};

/** An order as checkout writes it: everything but what only later moves set. */
export type NewOrderRecord = Omit<
  OrderRecord,
  'createdAt' | 'updatedAt' | 'deliveredAt' | 'completedAt' | 'refunds' | 'paymentFailure'
>;

/** What `placeMany` did with one order, and what its buyer held unpaid and may hold, counted under its lock. */
export interface PlaceResult {
  outcome: 'placed' | 'exists' | 'unpaid_limit' | 'held_limit';
  unpaidOrders: number;
  heldUnits: number;
  maxUnpaidOrders: number;
  maxHeldUnits: number;
  createdAt: Date;
}

/** Which orders a listing covers. */
export interface OrderScope {
  buyerId?: string;
  /** Only orders with a line of one of these producers. */
  producerIds?: string[];
  status?: OrderStatusName;
}

/** Where an order sits in a listing: its created_at as PostgreSQL prints it (to the µs) and id. */
export interface OrderPosition {
  createdAt: string;
  id: string;
}

type Row = Record<string, unknown>;

const ORDER_COLUMNS = `o.id, o.buyer_id, o.buyer_role, o.idempotency_key, o.request_hash, o.status, o.payment_method,
  o.subtotal_fen, o.donation_fen, o.total_fen, o.currency, o.payment_reference, o.client_secret,
  o.amount_received_fen, o.processor_fee_fen, o.paid_at, o.payment_failure, o.expires_at, o.cancelled_at, o.delivered_at, o.completed_at,
  o.created_at, o.updated_at,
  coalesce((select json_agg(json_build_object(
    'id', r.id, 'orderId', r.order_id, 'idempotencyKey', r.idempotency_key, 'lines', r.lines,
    'amountFen', r.amount_fen, 'reason', r.reason, 'goodsReturned', r.goods_returned, 'status', r.status,
    'reference', r.reference, 'requestedBy', r.requested_by, 'createdAt', r.created_at)
    order by r.created_at, r.id) from refund r where r.order_id = o.id), '[]'::json) as refunds`;

const LINES_JSON = `coalesce((select json_agg(json_build_object(
    'id', l.id, 'position', l.position, 'productId', l.product_id, 'productNameZh', l.product_name_zh,
    'productNameEn', l.product_name_en, 'unit', l.unit, 'producerId', l.producer_id,
    'producerName', l.producer_name, 'unitPriceFen', l.unit_price_fen, 'quantity', l.quantity,
    'grossFen', l.gross_fen, 'householdShareBps', l.household_share_bps, 'allocations', l.allocations,
    'status', l.status, 'carrier', l.carrier, 'trackingNumber', l.tracking_number, 'shippedAt', l.shipped_at,
    'refundedQuantity', l.refunded_quantity, 'refundedFen', l.refunded_fen, 'licenceId', l.licence_id,
    'licenceNumber', l.licence_number, 'licenceCommitmentBps', l.licence_commitment_bps,
    'licenceMinPerUnitFen', l.licence_min_per_unit_fen)
    order by l.position) from order_line l where l.order_id = o.id), '[]'::json) as lines`;

const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

function toRecord(row: Row): OrderRecord {
  return {
    id: row.id as string,
    buyerId: row.buyer_id as string,
    buyerRole: row.buyer_role as string,
    idempotencyKey: row.idempotency_key as string,
    requestHash: row.request_hash as string,
    status: row.status as OrderStatusName,
    paymentMethod: row.payment_method as PaymentMethodName,
    subtotalFen: Number(row.subtotal_fen),
    donationFen: Number(row.donation_fen),
    totalFen: Number(row.total_fen),
    currency: row.currency as string,
    paymentReference: (row.payment_reference as string | null) ?? null,
    clientSecret: (row.client_secret as string | null) ?? null,
    amountReceivedFen: row.amount_received_fen === null ? null : Number(row.amount_received_fen),
    processorFeeFen:
      row.processor_fee_fen === null || row.processor_fee_fen === undefined
        ? null
        : Number(row.processor_fee_fen),
    paidAt: date(row.paid_at),
    paymentFailure: (row.payment_failure as string | null) ?? null,
    expiresAt: date(row.expires_at)!,
    cancelledAt: date(row.cancelled_at),
    deliveredAt: date(row.delivered_at),
    completedAt: date(row.completed_at),
    refunds: (row.refunds as RefundRecord[]).map((r) => ({ ...r, amountFen: Number(r.amountFen) })),
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    lines: (row.lines as OrderLineRecord[]).map((l) => ({
      ...l,
      unitPriceFen: Number(l.unitPriceFen),
      quantity: Number(l.quantity),
      grossFen: Number(l.grossFen),
      refundedQuantity: Number(l.refundedQuantity),
      refundedFen: Number(l.refundedFen),
      licenceMinPerUnitFen: Number(l.licenceMinPerUnitFen),
    })),
  };
}

const placeholders = (count: number, tuple: string) => Array.from({ length: count }, () => tuple).join(', ');

/**
 * Every query on orders and their lines: one statement per read (lines and refunds aggregated in
 * SQL), one per write. SQL rather than the unit of work: the moves are conditional updates that
 * must stay exact under concurrency, and checkout is the hot path. Each method runs on the
 * EntityManager it is given: a fork, or the caller's transaction.
 */
@Injectable()
export class OrderRepository {
  async findById(em: EntityManager, id: string, forUpdate = false): Promise<OrderRecord | undefined> {
    const rows = await em.execute<Row[]>(
      `select ${ORDER_COLUMNS}, ${LINES_JSON} from customer_order o where o.id = ? ${forUpdate ? 'for update of o' : ''}`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** Which of the ids are orders. */
  async existingIds(em: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const rows = await em.execute<Row[]>(
      `select id from customer_order where id in (${placeholders(ids.length, '?')})`,
      ids,
    );
    return new Set(rows.map((r) => r.id as string));
  }

  /** The buyer's order under an idempotency key; a prepared statement, so `em` must not be in a transaction. */
  async findByIdempotencyKey(
    em: EntityManager,
    buyerId: string,
    key: string,
  ): Promise<OrderRecord | undefined> {
    const { rows } = await preparedQuery(em, {
      name: 'orders_by_idempotency_key',
      text: `select ${ORDER_COLUMNS}, ${LINES_JSON} from customer_order o where o.buyer_id = $1 and o.idempotency_key = $2`,
      values: [buyerId, key],
    });
    return rows[0] && toRecord(rows[0]);
  }

  /**
   * What a checkout looks at first, under its key's in-flight lock, in one round trip: the order
   * already placed under the buyer's key, if any (as {@link findByIdempotencyKey}), and the
   * buyer's usage against its limits (as `BuyerAllowanceRepository.usageOf`).
   * {@link findManyForCheckout} for one checkout.
   */
  async findForCheckout(
    em: EntityManager,
    buyerId: string,
    key: string,
  ): Promise<{ existing: OrderRecord | undefined; usage: BuyerUsage }> {
    return (await this.findManyForCheckout(em, [{ buyerId, key }]))[0]!;
  }

  /** What several checkouts look at first, each as {@link findForCheckout}, in one statement, in order. */
  async findManyForCheckout(
    em: EntityManager,
    lookups: { buyerId: string; key: string }[],
  ): Promise<{ existing: OrderRecord | undefined; usage: BuyerUsage }[]> {
    const { rows } = await preparedQuery(em, {
      name: 'orders_checkout_lookups',
      text: `select buyer_usage.*, found_order.*
               from jsonb_to_recordset($1::jsonb) as r(i int, buyer_id uuid, idempotency_key text)
              cross join lateral (${BUYER_USAGE_SQL.replaceAll('$1', 'r.buyer_id')}) buyer_usage
               left join lateral (select ${ORDER_COLUMNS}, ${LINES_JSON} from customer_order o
                                   where o.buyer_id = r.buyer_id and o.idempotency_key = r.idempotency_key) found_order on true
              order by r.i`,
      values: [JSON.stringify(lookups.map((l, i) => ({ i, buyer_id: l.buyerId, idempotency_key: l.key })))],
    });
    return rows.map((row) => ({
      existing: row.id === null ? undefined : toRecord(row),
      usage: usageOfRow(row),
    }));
  }

  /**
   * Writes new orders of checkout, several at once, in one round trip and one transaction of
   * their own (`orders_place`, see its migration): each under its buyer's lock, within the
   * buyer's limits (an officer's allowance in force, else `defaults`), unless the buyer has an
   * order under its idempotency key already. Results in the order of `orders`.
   */
  async placeMany(
    em: EntityManager,
    orders: { order: NewOrderRecord; units: number }[],
    defaults: { maxUnpaidOrders: number; maxHeldUnits: number },
  ): Promise<PlaceResult[]> {
    const docs = orders.map(({ order, units }) => ({
      units,
      default_max_unpaid_orders: defaults.maxUnpaidOrders,
      default_max_held_units: defaults.maxHeldUnits,
      order: {
        id: order.id,
        buyer_id: order.buyerId,
        buyer_role: order.buyerRole,
        idempotency_key: order.idempotencyKey,
        request_hash: order.requestHash,
        payment_method: order.paymentMethod,
        subtotal_fen: order.subtotalFen,
        donation_fen: order.donationFen,
        total_fen: order.totalFen,
        currency: order.currency,
        expires_at: order.expiresAt.toISOString(),
        lines: order.lines.map((l) => ({
          id: l.id,
          position: l.position,
          product_id: l.productId,
          product_name_zh: l.productNameZh,
          product_name_en: l.productNameEn,
          unit: l.unit,
          producer_id: l.producerId,
          producer_name: l.producerName,
          unit_price_fen: l.unitPriceFen,
          quantity: l.quantity,
          gross_fen: l.grossFen,
          household_share_bps: l.householdShareBps,
          allocations: l.allocations,
          licence_id: l.licenceId,
          licence_number: l.licenceNumber,
          licence_commitment_bps: l.licenceCommitmentBps,
          licence_min_per_unit_fen: l.licenceMinPerUnitFen,
        })),
      },
    }));
    const { rows } = await preparedQuery(em, {
      name: 'orders_place',
      text: `select i, outcome, unpaid_orders, held_units, max_unpaid_orders, max_held_units, created_at
               from orders_place($1::jsonb) order by i`,
      values: [JSON.stringify(docs)],
    });
    return rows.map((r) => ({
      outcome: r.outcome as PlaceResult['outcome'],
      unpaidOrders: Number(r.unpaid_orders),
      heldUnits: Number(r.held_units),
      maxUnpaidOrders: Number(r.max_unpaid_orders),
      maxHeldUnits: Number(r.max_held_units),
      createdAt: new Date(r.created_at as string),
    }));
  }

  /**
   * Inserts an order and its lines in one statement; false when the buyer already has an order
   * under this idempotency key (another request won the race).
   */
  async insert(em: EntityManager, order: NewOrderRecord, at?: Date): Promise<boolean> {
    const lineParams = order.lines.flatMap((l) => [
      l.id,
      l.position,
      l.productId,
      l.productNameZh,
      l.productNameEn,
      l.unit,
      l.producerId,
      l.producerName,
      l.unitPriceFen,
      l.quantity,
      l.grossFen,
      l.householdShareBps,
      JSON.stringify(l.allocations),
      l.licenceId,
      l.licenceNumber,
      l.licenceCommitmentBps,
      l.licenceMinPerUnitFen,
    ]);
    const rows = await em.execute<Row[]>(
      `with new_order as (
         insert into customer_order (id, buyer_id, buyer_role, idempotency_key, request_hash, status, payment_method,
           subtotal_fen, donation_fen, total_fen, currency, expires_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'pending_payment', ?, ?, ?, ?, ?, ?, coalesce(?::timestamptz, now()),
                 coalesce(?::timestamptz, now()))
         on conflict on constraint customer_order_idempotency do nothing
         returning id),
       new_lines as (
         insert into order_line (id, order_id, position, product_id, product_name_zh, product_name_en, unit,
           producer_id, producer_name, unit_price_fen, quantity, gross_fen, household_share_bps, allocations,
           status, refunded_quantity, refunded_fen, licence_id, licence_number, licence_commitment_bps,
           licence_min_per_unit_fen)
         select v.id, o.id, v.position, v.product_id, v.name_zh, v.name_en, v.unit, v.producer_id, v.producer_name,
                v.unit_price_fen, v.quantity, v.gross_fen, v.share, v.allocations, 'pending', 0, 0,
                v.licence_id, v.licence_number, v.licence_bps, v.licence_min
           from new_order o,
                (values ${placeholders(
                  order.lines.length,
                  '(?::uuid, ?::int, ?::uuid, ?, ?, ?, ?::uuid, ?, ?::bigint, ?::bigint, ?::bigint, ?::int, ?::jsonb, ?::uuid, ?, ?::int, ?::bigint)',
                )}) as v(id, position, product_id, name_zh, name_en, unit, producer_id, producer_name,
                          unit_price_fen, quantity, gross_fen, share, allocations, licence_id, licence_number,
                          licence_bps, licence_min)
         returning 1)
       select (select count(*) from new_order) as orders`,
      [
        order.id,
        order.buyerId,
        order.buyerRole,
        order.idempotencyKey,
        order.requestHash,
        order.paymentMethod,
        order.subtotalFen,
        order.donationFen,
        order.totalFen,
        order.currency,
        order.expiresAt,
        at ?? null,
        at ?? null,
        ...lineParams,
      ],
    );
    return Number(rows[0].orders) === 1;
  }

  /**
   * Moves an order from one of `from` to `to`; false when it was not in one of them. `at` is when
   * (now unless given: the demo seed records moves of the past).
   */
  async moveStatus(
    em: EntityManager,
    id: string,
    from: OrderStatusName[],
    to: OrderStatusName,
    set: Record<string, unknown> = {},
    at?: Date,
  ): Promise<boolean> {
    const columns = Object.keys(set);
    const result = await em.execute<{ affectedRows: number }>(
      `update customer_order set status = ?, updated_at = coalesce(?::timestamptz, now())${columns.map((c) => `, ${c} = ?`).join('')}
        where id = ? and status in (${placeholders(from.length, '?')})`,
      [to, at ?? null, ...Object.values(set), id, ...from],
      'run',
    );
    return result.affectedRows === 1;
  }

  /**
   * A page of orders, newest first: `offset` rows in, or (keyset) right after `after`, the
   * position `next` of an earlier page, which stays cheap however deep the list goes.
   */
  async page(
    em: EntityManager,
    scope: OrderScope,
    { offset, limit, after }: { offset: number; limit: number; after?: OrderPosition },
  ): Promise<{ items: OrderRecord[]; total: number; next?: OrderPosition }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (scope.buyerId) {
      where.push('o.buyer_id = ?');
      params.push(scope.buyerId);
    }
    if (scope.producerIds) {
      if (scope.producerIds.length === 0) {
        return { items: [], total: 0 };
      }
      where.push(
        `exists (select 1 from order_line pl where pl.order_id = o.id and pl.producer_id in (${placeholders(
          scope.producerIds.length,
          '?',
        )}))`,
      );
      params.push(...scope.producerIds);
    }
    if (scope.status) {
      where.push('o.status = ?');
      params.push(scope.status);
    }
    const filter = where.length > 0 ? `where ${where.join(' and ')}` : '';
    const count = async () => {
      const [{ total }] = await em.execute<Row[]>(
        `select count(*) as total from customer_order o ${filter}`,
        params,
      );
      return Number(total);
    };
    // One row more than the page says whether another follows.
    const rows = after
      ? await em.execute<Row[]>(
          `select ${ORDER_COLUMNS}, ${LINES_JSON}, o.created_at::text as position
             from customer_order o ${filter} ${where.length > 0 ? 'and' : 'where'}
                  (o.created_at < ?::timestamptz or (o.created_at = ?::timestamptz and o.id > ?))
            order by o.created_at desc, o.id limit ?`,
          [...params, after.createdAt, after.createdAt, after.id, limit + 1],
        )
      : await em.execute<Row[]>(
          `select ${ORDER_COLUMNS}, ${LINES_JSON}, o.created_at::text as position,
                  count(*) over () as total
             from customer_order o ${filter}
            order by o.created_at desc, o.id limit ? offset ?`,
          [...params, limit + 1, offset],
        );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map(toRecord),
      total: !after && rows.length > 0 ? Number(rows[0].total) : await count(),
      next: last && { createdAt: last.position as string, id: last.id as string },
    };
  }

  /** Ids of unpaid orders past their expiry, claimed so two sweepers never take the same one. */
  async claimExpired(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select id from customer_order where status = 'pending_payment' and expires_at < now()
        order by expires_at limit ? for update skip locked`,
      [limit],
    );
    return rows.map((r) => r.id as string);
  }

  /**
   * The orders a provider event may name, in one query: the one with `id` (from the payment's
   * metadata) and the one holding the payment `reference`; each undefined when absent or not given.
   */
  async findForPayment(
    em: EntityManager,
    id: string,
    reference: string,
  ): Promise<{ byId: OrderRecord | undefined; byReference: OrderRecord | undefined }> {
    const where = [id ? 'o.id = ?::uuid' : '', reference ? 'o.payment_reference = ?' : ''].filter(Boolean);
    if (where.length === 0) {
      return { byId: undefined, byReference: undefined };
    }
    const rows = await em.execute<Row[]>(
      `select ${ORDER_COLUMNS}, ${LINES_JSON} from customer_order o where ${where.join(' or ')}`,
      [...(id ? [id] : []), ...(reference ? [reference] : [])],
    );
    const orders = rows.map(toRecord);
    return {
      byId: id ? orders.find((o) => o.id === id) : undefined,
      byReference: reference ? orders.find((o) => o.paymentReference === reference) : undefined,
    };
  }

  /**
   * `findForPayment` for many events in one statement: every order named by one of `ids` or
   * paid by one of `references`.
   */
  async findForPayments(em: EntityManager, ids: string[], references: string[]): Promise<OrderRecord[]> {
    if (ids.length === 0 && references.length === 0) {
      return [];
    }
    const rows = await em.execute<Row[]>(
      `select ${ORDER_COLUMNS}, ${LINES_JSON} from customer_order o
        where o.id = any(?::uuid[]) or o.payment_reference = any(?::text[])`,
      [pgArray(ids), pgArray(references)],
    );
    return rows.map(toRecord);
  }

  /** The order each of the card payments (`payment_reference`) pays, by reference. */
  async idsByCardPayment(em: EntityManager, references: string[]): Promise<Map<string, string>> {
    if (references.length === 0) {
      return new Map();
    }
    const rows = await em.execute<Row[]>(
      `select id, payment_reference from customer_order
        where payment_method = 'stripe' and payment_reference = any(?::text[])`,
      [`{${references.map((r) => `"${r.replace(/["\\]/g, '')}"`).join(',')}}`],
    );
    return new Map(rows.map((r) => [r.payment_reference as string, r.id as string]));
  }

  /** Stores the provider's payment on an order that has none yet; false when it has one. */
  async setPayment(em: EntityManager, id: string, reference: string, clientSecret: string): Promise<boolean> {
    const result = await em.execute<{ affectedRows: number }>(
      `update customer_order set payment_reference = ?, client_secret = ?, updated_at = now()
        where id = ? and payment_reference is null`,
      [reference, clientSecret || null, id],
      'run',
    );
    return result.affectedRows === 1;
  }

  /**
   * Puts an officer's `reference` on a manual order still pending, before its stock is committed.
   * `taken`: another order (not cancelled) holds it, which the unique index decides, so two
   * confirmations racing with one reference cannot both pass; `other`: the order is no longer
   * pending or is being confirmed under another reference.
   */
  async claimPaymentReference(
    em: EntityManager,
    id: string,
    reference: string,
  ): Promise<'claimed' | 'taken' | 'other'> {
    try {
      const result = await em.execute<{ affectedRows: number }>(
        `update customer_order set payment_reference = ?, updated_at = now()
          where id = ? and status = 'pending_payment' and payment_method = 'manual'
            and (payment_reference is null or payment_reference = ?)`,
        [reference, id, reference],
        'run',
      );
      return result.affectedRows === 1 ? 'claimed' : 'other';
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        return 'taken';
      }
      throw error;
    }
  }

  /** Takes a claimed reference off an order that could not be paid after all. */
  async releasePaymentReference(em: EntityManager, id: string, reference: string): Promise<void> {
    await em.execute(
      `update customer_order set payment_reference = null, updated_at = now()
        where id = ? and status = 'pending_payment' and payment_reference = ?`,
      [id, reference],
      'run',
    );
  }

  /** Records a failed payment attempt unless a later one is recorded already. */
  async recordPaymentFailure(em: EntityManager, id: string, code: string, at: Date): Promise<boolean> {
    const result = await em.execute<{ affectedRows: number }>(
      `update customer_order set payment_failure = ?, payment_failure_at = ?, updated_at = now()
        where id = ? and (payment_failure_at is null or payment_failure_at <= ?)`,
      [code, at, id, at],
      'run',
    );
    return result.affectedRows === 1;
  }

  /**
   * Ids of card orders still unpaid since before `createdBefore`, least recently checked first,
   * marked checked now; claimed so two reconcilers never ask about the same order at once.
   */
  async claimUnpaidByCard(em: EntityManager, createdBefore: Date, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `with due as (
         select id from customer_order
          where status = 'pending_payment' and payment_method = 'stripe' and created_at < ?
          order by payment_checked_at nulls first, created_at limit ? for update skip locked)
       update customer_order o set payment_checked_at = now() from due where o.id = due.id returning o.id`,
      [createdBefore, limit],
    );
    return rows.map((r) => r.id as string);
  }

  /**
   * Completes shipped or delivered orders whose last shipment or delivery is older than
   * `before` (the buyer did not confirm, or confirmed and the return window passed). Returns how many.
   */
  async completeSettled(em: EntityManager, before: Date, limit: number): Promise<number> {
    const rows = await em.execute<Row[]>(
      `with due as (
         select o.id from customer_order o
          where o.status in ('shipped', 'delivered')
            and coalesce(o.delivered_at, (select max(l.shipped_at) from order_line l where l.order_id = o.id)) < ?
          limit ? for update skip locked)
       update customer_order o set status = 'completed', completed_at = now(), updated_at = now()
         from due where o.id = due.id returning o.id`,
      [before, limit],
    );
    return rows.length;
  }
  /** Marks the named lines of the order shipped, those still pending. */
  async shipLines(
    em: EntityManager,
    orderId: string,
    lineIds: string[],
    shipment: { carrier: string; trackingNumber: string },
    at?: Date,
  ): Promise<void> {
    await em.execute(
      `update order_line set status = 'shipped', carrier = ?, tracking_number = ?,
              shipped_at = coalesce(?::timestamptz, now())
        where order_id = ? and status = 'pending' and id in (${placeholders(lineIds.length, '?')})`,
      [shipment.carrier, shipment.trackingNumber, at ?? null, orderId, ...lineIds],
      'run',
    );
  }

  /** How many lines of the order still wait to be shipped (pending, not refunded in full). */
  async countUnshippedLines(em: EntityManager, orderId: string): Promise<number> {
    const [{ open }] = await em.execute<{ open: string }[]>(
      `select count(*) as open from order_line where order_id = ? and status = 'pending' and refunded_quantity < quantity`,
      [orderId],
    );
    return Number(open);
  }

  /** Marks every shipped line of the order delivered. */
  async deliverShippedLines(em: EntityManager, orderId: string): Promise<void> {
    await em.execute(
      `update order_line set status = 'delivered' where order_id = ? and status = 'shipped'`,
      [orderId],
      'run',
    );
  }

  /** How many lines of the order have units left to refund. */
  async countUnrefundedLines(em: EntityManager, orderId: string): Promise<number> {
    const [{ open }] = await em.execute<{ open: string }[]>(
      `select count(*) as open from order_line where order_id = ? and refunded_quantity < quantity`,
      [orderId],
    );
    return Number(open);
  }

  /** Counts units of a line (and their amount) as refunded, reserving them for a refund. */
  async addRefunded(em: EntityManager, share: RefundLineAmount): Promise<void> {
    await em.execute(
      `update order_line set refunded_quantity = refunded_quantity + ?, refunded_fen = refunded_fen + ? where id = ?`,
      [share.quantity, share.amountFen, share.lineId],
      'run',
    );
  }

  /** Gives a line back the units (and amount) of a refund that failed. */
  async removeRefunded(em: EntityManager, share: RefundLineAmount): Promise<void> {
    await em.execute(
      `update order_line set refunded_quantity = refunded_quantity - ?, refunded_fen = refunded_fen - ? where id = ?`,
      [share.quantity, share.amountFen, share.lineId],
      'run',
    );
  }
}

/** A PostgreSQL array literal of `values`, each quoted. */
function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
