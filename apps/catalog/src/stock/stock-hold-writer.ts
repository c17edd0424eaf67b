import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
import { StockRepository, type NewHold } from './stock.repository';

/** What the database did with one order's planned holds: see `StockRepository.holdOrders`. */
export type HoldWriteOutcome = 'held' | 'exists' | 'short';

/**
 * Writes checkout holds by group commit: holds arriving while a write is in flight wait and go
 * together in the next, up to 32 orders to a call and 2 calls at once. A call is one round trip
 * and one transaction (`stock_hold_orders`): when many buyers take from one lot, its row is locked
 * and its commit waited for once per call rather than once per buyer, which is what keeps a flash
 * sale from queueing every checkout behind the one before.
 */
@Injectable()
export class StockHoldWriter {
  private readonly queue: GroupCommit<string, HoldWriteOutcome>;

  constructor(em: EntityManager, repo: StockRepository) {
    this.queue = new GroupCommit((documents) => repo.holdOrders(em.fork(), documents), {
      maxPerCall: 32,
      maxCallsInFlight: 2,
    });
  }

  /** Takes the units of `holds` (all of one order, positions in array order) off their lots. */
  write(orderId: string, holds: NewHold[]): Promise<HoldWriteOutcome> {
    return this.queue.write(document(orderId, holds));
  }
}

function document(orderId: string, holds: NewHold[]): string {
  return JSON.stringify({
    order_id: orderId,
    holds: holds.map((h, position) => ({
      position,
      product_id: h.productId,
      lot_id: h.lotId,
      quantity: h.quantity,
      expires_at: h.expiresAt.toISOString(),
      snapshot: h.snapshot,
    })),
  });
}
