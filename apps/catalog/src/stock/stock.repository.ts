// Just over 400 lines: every statement on stock in one place, the checkout's plan among them.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preparedQuery } from '@yugong/shared/orm';
import { certifiedNowSql } from '../certification/certified-now.util';
import type { HoldStatusName, StockHold } from './stock-hold.entity';

/** A product as checkout needs it: whether it may be sold, at what, and whose lots it draws on. */
export interface SaleableProduct {
  id: string;
  status: string;
  priceFen: number;
  currency: string;
  nameZh: string;
  nameEn: string;
  unit: string;
  producerId: string;
  producerName: string;
  producerStatus: string;
  householdShareBps: number;
  /** The product whose lots hold its stock: itself, or its stock source. */
  sourceId: string;
  /** It holds a valid certificate now (a product is sold only while certified). */
  certified: boolean;
}

/** A lot locked for allocation. */
export interface LockedLot {
  id: string;
  productId: string;
  lotCode: string;
  onHand: number;
}

/** A stock_hold row as the service works with it: the entity's columns, the snapshot typed. */
export type HoldRow = Pick<
  StockHold,
  'id' | 'orderId' | 'productId' | 'lotId' | 'quantity' | 'restocked' | 'status'
> & {
  snapshot: HoldSnapshot;
};

/** What an order line is sold at, stored beside each of its holds. */
export interface HoldSnapshot {
  unitPriceFen: number;
  currency: string;
  producerId: string;
  producerName: string;
  householdShareBps: number;
  nameZh: string;
  nameEn: string;
  unit: string;
  lotCode: string;
}

/** A stock_hold row to insert. */
export type NewHold = Pick<StockHold, 'orderId' | 'productId' | 'lotId' | 'quantity' | 'expiresAt'> & {
  snapshot: HoldSnapshot;
};

type Row = Record<string, unknown>;

/** What a hold is planned on: see {@link StockRepository.holdPlan}. */
export interface HoldPlan {
  holds: HoldRow[];
  products: Map<string, SaleableProduct>;
  lots: LockedLot[];
}

const placeholders = (count: number, tuple: string) => Array.from({ length: count }, () => tuple).join(', ');

function toHold(row: Row): HoldRow {
  return {
    id: row.id as string,
    orderId: row.order_id as string,
    productId: row.product_id as string,
    lotId: row.lot_id as string,
    quantity: Number(row.quantity),
    restocked: Number(row.restocked),
    status: row.status as HoldStatusName,
    snapshot: row.snapshot as HoldSnapshot,
  };
}

function toSaleable(r: Row): SaleableProduct {
  return {
    id: r.id as string,
    status: r.status as string,
    priceFen: Number(r.price_fen),
    currency: r.currency as string,
    nameZh: r.name_zh as string,
    nameEn: r.name_en as string,
    unit: r.unit as string,
    producerId: r.producer_id as string,
    producerName: r.producer_name as string,
    producerStatus: r.producer_status as string,
    householdShareBps: Number(r.household_share_bps),
    sourceId: r.source_id as string,
    certified: r.certified === true,
  };
}

function toLockedLot(r: Row): LockedLot {
  return {
    id: r.id as string,
    productId: r.product_id as string,
    lotCode: r.lot_code as string,
    onHand: Number(r.on_hand),
  };
}

// One row per order asked, in the order asked (r.i): the plan of each, as holdPlans answers.
const HOLD_PLANS_SQL = `select r.i,
  coalesce((select json_agg(json_build_object('id', h.id, 'order_id', h.order_id, 'product_id', h.product_id,
      'lot_id', h.lot_id, 'quantity', h.quantity, 'restocked', h.restocked, 'status', h.status,
      'snapshot', h.snapshot) order by h.position)
     from stock_hold h where h.order_id = r.order_id), '[]'::json) as holds,
  coalesce((select json_agg(json_build_object('id', p.id, 'status', p.status, 'price_fen', p.price_fen,
      'currency', p.currency, 'name_zh', p.name_zh, 'name_en', p.name_en, 'unit', p.unit,
      'producer_id', p.producer_id, 'producer_name', pr.legal_name, 'producer_status', pr.status,
      'household_share_bps', coalesce((select s.basis_points from household_share s
                                        where s.producer_id = pr.id and s.effective_from <= now()
                                        order by s.effective_from desc limit 1), 0),
      'source_id', coalesce(p.stock_source_id, p.id), 'certified', ${certifiedNowSql('p')}))
     from product p join producer pr on pr.id = p.producer_id where p.id = any(r.product_ids)), '[]'::json) as products,
  coalesce((select json_agg(json_build_object('id', l.id, 'product_id', l.product_id, 'lot_code', l.lot_code,
      'on_hand', l.on_hand) order by l.produced_on, l.created_at, l.id)
     from lot l
    where l.product_id in (select coalesce(p.stock_source_id, p.id) from product p where p.id = any(r.product_ids))
      and l.on_hand > 0), '[]'::json) as lots
  from jsonb_to_recordset($1::jsonb) as r(i int, order_id uuid, product_ids uuid[])
 order by r.i`;

/**
 * Every statement on stock. Each takes the EntityManager of the caller's transaction, so a hold
 * is a handful of statements in one transaction whatever the number of lines: products (1), lots
 * locked in id order (1), on_hand decremented (1), holds inserted (1). Lots are always locked in
 * id order, by every path that changes on_hand, so concurrent orders never deadlock.
 */
@Injectable()
export class StockRepository {
  /** Serialises every stock change of one order (hold, commit, release, restock) for the transaction. */
  async lockOrder(em: EntityManager, orderId: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 7))', [`stock:${orderId}`]);
  }

  /**
   * The products as a sale at `at` (now when not given) takes them: price, names, and the
   * producer's household share in force at that instant (the latest step begun by then).
   */
  async saleableProducts(em: EntityManager, ids: string[], at?: Date): Promise<Map<string, SaleableProduct>> {
    const rows = await em.execute<Row[]>(
      `select p.id, p.status, p.price_fen, p.currency, p.name_zh, p.name_en, p.unit, p.producer_id,
              pr.legal_name as producer_name, pr.status as producer_status,
              coalesce((select s.basis_points from household_share s
                         where s.producer_id = pr.id and s.effective_from <= coalesce(?::timestamptz, now())
                         order by s.effective_from desc limit 1), 0) as household_share_bps,
              coalesce(p.stock_source_id, p.id) as source_id, ${certifiedNowSql('p')} as certified
         from product p join producer pr on pr.id = p.producer_id
        where p.id in (${placeholders(ids.length, '?')})`,
      [at ?? null, ...ids],
    );
    return new Map(rows.map((r) => [r.id as string, toSaleable(r)]));
  }

  /**
   * What a hold of `orderId` is planned on, read in one statement without locks: the order's
   * holds (a repeat has some), the products as `saleableProducts` gives them, and the lots with
   * stock of their stock sources, oldest first (as `lockLotsOfProducts` orders them). What it says
   * of on_hand may be stale by the time the hold is written: `holdOrders` checks it again under
   * the lots' locks. {@link holdPlans} for one order.
   */
  async holdPlan(em: EntityManager, orderId: string, productIds: string[]): Promise<HoldPlan> {
    return (await this.holdPlans(em, [{ orderId, productIds }]))[0]!;
  }

  /** The plans of several orders, each as {@link holdPlan} reads it, in one statement (`stock_hold_plans`). */
  async holdPlans(
    em: EntityManager,
    requests: { orderId: string; productIds: string[] }[],
  ): Promise<HoldPlan[]> {
    const { rows } = await preparedQuery(em, {
      name: 'stock_hold_plans',
      text: HOLD_PLANS_SQL,
      values: [
        JSON.stringify(requests.map((r, i) => ({ i, order_id: r.orderId, product_ids: r.productIds }))),
      ],
    });
    return rows.map((row) => ({
      holds: (row.holds as Row[]).map(toHold),
      products: new Map((row.products as Row[]).map((r) => [r.id as string, toSaleable(r)])),
      lots: (row.lots as Row[]).map(toLockedLot),
    }));
  }

  /**
   * Writes the holds of several orders in one round trip and one transaction of their own
   * (`stock_hold_orders`, see its migration): per order, in the order given, 'held', 'exists'
   * (it holds stock already: nothing written) or 'short' (a lot has fewer units than planned now:
   * nothing written). Each request is `{ order_id, holds: [{ position, product_id, lot_id,
   * quantity, expires_at, snapshot }] }` as JSON.
   */
  async holdOrders(em: EntityManager, requests: string[]): Promise<('held' | 'exists' | 'short')[]> {
    const { rows } = await preparedQuery(em, {
      name: 'stock_hold_orders',
      text: 'select i, outcome from stock_hold_orders($1::jsonb) order by i',
      values: [`[${requests.join(',')}]`],
    });
    return rows.map((r) => r.outcome as 'held' | 'exists' | 'short');
  }

  /**
   * Locks the lots with stock of the given products, in id order, and returns them oldest first
   * (produced_on, created_at, id): the order a hold takes units in.
   */
  async lockLotsOfProducts(em: EntityManager, productIds: string[]): Promise<LockedLot[]> {
    const rows = await em.execute<Row[]>(
      `with locked as (
         select id, product_id, lot_code, on_hand, produced_on, created_at
           from lot
          where product_id in (${placeholders(productIds.length, '?')}) and on_hand > 0
          order by id
            for update)
       select * from locked order by produced_on, created_at, id`,
      productIds,
    );
    return rows.map(toLockedLot);
  }

  /** Locks lots by id, in id order; returns their on_hand. */
  async lockLots(em: EntityManager, lotIds: string[]): Promise<Map<string, number>> {
    const rows = await em.execute<Row[]>(
      `select id, on_hand from lot where id in (${placeholders(lotIds.length, '?')}) order by id for update`,
      lotIds,
    );
    return new Map(rows.map((r) => [r.id as string, Number(r.on_hand)]));
  }

  /**
   * Moves units off (negative delta) or back onto lots in one statement. The condition and the
   * lot's CHECK (0 <= on_hand <= quantity) make a wrong delta fail rather than corrupt stock;
   * returns how many lots changed, which the caller compares with how many it meant to change.
   */
  async adjustOnHand(em: EntityManager, deltas: Map<string, number>): Promise<number> {
    if (deltas.size === 0) {
      return 0;
    }
    const params = [...deltas].flatMap(([lotId, delta]) => [lotId, delta]);
    const result = await em.execute<{ affectedRows: number }>(
      `update lot set on_hand = lot.on_hand + v.delta
         from (values ${placeholders(deltas.size, '(?::uuid, ?::bigint)')}) as v(id, delta)
        where lot.id = v.id and lot.on_hand + v.delta >= 0`,
      params,
      'run',
    );
    return result.affectedRows;
  }

  /** Inserts holds, `held` (a checkout) or already `committed` (a past sale the demo seed records). */
  async insertHolds(
    em: EntityManager,
    holds: NewHold[],
    status: 'held' | 'committed' = 'held',
  ): Promise<void> {
    const params = holds.flatMap((h, position) => [
      position,
      h.orderId,
      h.productId,
      h.lotId,
      h.quantity,
      h.expiresAt,
      JSON.stringify(h.snapshot),
    ]);
    await em.execute(
      `insert into stock_hold (id, order_id, product_id, lot_id, quantity, status, expires_at, restocked,
                               position, snapshot, created_at, updated_at)
       select gen_random_uuid(), v.order_id, v.product_id, v.lot_id, v.quantity, ?, v.expires_at, 0,
              v.position, v.snapshot, now(), now()
         from (values ${placeholders(holds.length, '(?::int, ?::uuid, ?::uuid, ?::uuid, ?::bigint, ?::timestamptz, ?::jsonb)')})
           as v(position, order_id, product_id, lot_id, quantity, expires_at, snapshot)`,
      [status, ...params],
      'run',
    );
  }

  /** Which of the orders hold stock (in any status). */
  async ordersWithHolds(em: EntityManager, orderIds: string[]): Promise<Set<string>> {
    if (orderIds.length === 0) {
      return new Set();
    }
    const rows = await em.execute<Row[]>(
      `select distinct order_id from stock_hold where order_id in (${placeholders(orderIds.length, '?')})`,
      orderIds,
    );
    return new Set(rows.map((r) => r.order_id as string));
  }

  /** An order's holds in allocation order; locked when `forUpdate`. */
  async holdsOfOrder(em: EntityManager, orderId: string, forUpdate = false): Promise<HoldRow[]> {
    const rows = await em.execute<Row[]>(
      `select h.id, h.order_id, h.product_id, h.lot_id, h.quantity, h.restocked, h.status, h.snapshot
         from stock_hold h
        where h.order_id = ?
        order by h.position
        ${forUpdate ? 'for update' : ''}`,
      [orderId],
    );
    return rows.map(toHold);
  }

  async setStatus(em: EntityManager, holdIds: string[], status: HoldStatusName): Promise<void> {
    if (holdIds.length === 0) {
      return;
    }
    await em.execute(
      `update stock_hold set status = ?, updated_at = now() where id in (${placeholders(holdIds.length, '?')})`,
      [status, ...holdIds],
      'run',
    );
  }

  /**
   * Claims up to `limit` holds still held past `olderThan`, skipping rows another sweeper or an
   * order's own call has locked.
   */
  async claimExpired(em: EntityManager, olderThan: Date, limit: number): Promise<HoldRow[]> {
    const rows = await em.execute<Row[]>(
      `select h.id, h.order_id, h.product_id, h.lot_id, h.quantity, h.restocked, h.status, h.snapshot
         from stock_hold h
        where h.status = 'held' and h.expires_at < ?
        order by h.expires_at
        limit ?
          for update skip locked`,
      [olderThan, limit],
    );
    return rows.map(toHold);
  }

  async addRestocked(em: EntityManager, restocked: Map<string, number>): Promise<void> {
    const params = [...restocked].flatMap(([holdId, units]) => [holdId, units]);
    await em.execute(
      `update stock_hold set restocked = stock_hold.restocked + v.units, updated_at = now()
         from (values ${placeholders(restocked.size, '(?::uuid, ?::bigint)')}) as v(id, units)
        where stock_hold.id = v.id`,
      params,
      'run',
    );
  }

  async findRestock(
    em: EntityManager,
    restockId: string,
  ): Promise<
    { orderId: string; productId: string; quantity: number; allocations: RestockAllocation[] } | undefined
  > {
    const [row] = await em.execute<Row[]>(
      'select order_id, product_id, quantity, allocations from stock_restock where restock_id = ?',
      [restockId],
    );
    return (
      row && {
        orderId: row.order_id as string,
        productId: row.product_id as string,
        quantity: Number(row.quantity),
        allocations: row.allocations as RestockAllocation[],
      }
    );
  }

  async insertRestock(
    em: EntityManager,
    restock: {
      restockId: string;
      orderId: string;
      productId: string;
      quantity: number;
      allocations: RestockAllocation[];
    },
  ): Promise<void> {
    await em.execute(
      `insert into stock_restock (restock_id, order_id, product_id, quantity, allocations, created_at)
       values (?, ?, ?, ?, ?::jsonb, now())`,
      [
        restock.restockId,
        restock.orderId,
        restock.productId,
        restock.quantity,
        JSON.stringify(restock.allocations),
      ],
      'run',
    );
  }

  /** Produced dates of lots, for returning units to the most recent lot first. */
  async lotAges(em: EntityManager, lotIds: string[]): Promise<Map<string, string>> {
    const rows = await em.execute<Row[]>(
      `select id, to_char(produced_on, 'YYYY-MM-DD') || created_at::text as age
         from lot where id in (${placeholders(lotIds.length, '?')})`,
      lotIds,
    );
    return new Map(rows.map((r) => [r.id as string, r.age as string]));
  }
}

export interface RestockAllocation {
  lotId: string;
  lotCode: string;
  quantity: number;
}
