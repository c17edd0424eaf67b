import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RowOf } from '../common/entity-row.util';
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

  /** The buyer's allowance still in force, if any. */
  async findActive(em: EntityManager, buyerId: string): Promise<BuyerAllowanceRecord | undefined> {
    const [row] = await em.execute<Row[]>(
      `select * from buyer_allowance where buyer_id = ? and (expires_at is null or expires_at > now())`,
      [buyerId],
    );
    return row && toRecord(row);
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
