import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preparedQuery, type RowOf } from '@yugong/shared/orm';
import type { BuyerAllowance } from './buyer-allowance.entity';

export type BuyerAllowanceRecord = RowOf<BuyerAllowance>;

interface Row {
  buyer_id: string;
  max_unpaid_orders: number;
  max_held_units: number;
  expires_at: Date | null;
  granted_by: string;
  granted_at: Date;
}

interface UsageRow {
  max_unpaid_orders: number | null;
  max_held_units: number | null;
  orders: string;
  units: string;
}

/** What one buyer may hold unpaid (when an officer set it) and holds now. */
export interface BuyerUsage {
  allowance?: { maxUnpaidOrders: number; maxHeldUnits: number };
  unpaidOrders: number;
  heldUnits: number;
}

/**
 * The buyer's (`$1`) allowance still in force (null limits when none) and what the buyer holds
 * unpaid now, orders and units of orders whose hold has not lapsed: one row, always.
 */
export const BUYER_USAGE_SQL = `select a.max_unpaid_orders, a.max_held_units, u.orders, u.units
         from (select count(*) as orders, coalesce(sum(l.units), 0) as units
                 from customer_order o,
                      lateral (select sum(quantity) as units from order_line where order_id = o.id) l
                where o.buyer_id = $1 and o.status = 'pending_payment' and o.expires_at > now()) u
         left join buyer_allowance a
           on a.buyer_id = $1 and (a.expires_at is null or a.expires_at > now())`;

/** A row of {@link BUYER_USAGE_SQL} as the buyer's usage. */
export function usageOfRow(row: Record<string, unknown>): BuyerUsage {
  const usage = row as unknown as UsageRow;
  return {
    allowance:
      usage.max_unpaid_orders === null
        ? undefined
        : { maxUnpaidOrders: Number(usage.max_unpaid_orders), maxHeldUnits: Number(usage.max_held_units) },
    unpaidOrders: Number(usage.orders),
    heldUnits: Number(usage.units),
  };
}

const toRecord = (row: Row): BuyerAllowanceRecord => ({
  buyerId: row.buyer_id,
  maxUnpaidOrders: Number(row.max_unpaid_orders),
  maxHeldUnits: Number(row.max_held_units),
  expiresAt: row.expires_at && new Date(row.expires_at),
  grantedBy: row.granted_by,
  grantedAt: new Date(row.granted_at),
});

/** Officer-set allowances, and the per-buyer lock that checkouts of one buyer take in turn. */
@Injectable()
export class BuyerAllowanceRepository {
  /**
   * Serialises the caller's transaction with every other one of this buyer that takes it, until
   * commit: what a checkout counts under it cannot change until its order is written.
   */
  async lockBuyer(em: EntityManager, buyerId: string): Promise<void> {
    await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`buyer:${buyerId}`]);
  }

  /**
   * In one statement: the buyer's allowance still in force (null limits when none) and what the
   * buyer holds unpaid now, orders and units of orders whose hold has not lapsed.
   */
  async usageOf(em: EntityManager, buyerId: string): Promise<BuyerUsage> {
    // Every checkout asks: a named statement, planned once per connection, not per call.
    const { rows } = await preparedQuery(em, {
      name: 'buyer_usage',
      text: BUYER_USAGE_SQL,
      values: [buyerId],
    });
    return usageOfRow(rows[0]);
  }

  /** Sets (or replaces) the buyer's allowance. */
  async upsert(
    em: EntityManager,
    allowance: Omit<BuyerAllowanceRecord, 'grantedAt'>,
  ): Promise<BuyerAllowanceRecord> {
    const [row] = await em.execute<Row[]>(
      `insert into buyer_allowance (buyer_id, max_unpaid_orders, max_held_units, expires_at, granted_by, granted_at)
       values (?, ?, ?, ?, ?, now())
       on conflict (buyer_id) do update set max_unpaid_orders = excluded.max_unpaid_orders,
         max_held_units = excluded.max_held_units, expires_at = excluded.expires_at,
         granted_by = excluded.granted_by, granted_at = excluded.granted_at
       returning *`,
      [
        allowance.buyerId,
        allowance.maxUnpaidOrders,
        allowance.maxHeldUnits,
        allowance.expiresAt,
        allowance.grantedBy,
      ],
    );
    return toRecord(row);
  }
}
