import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StockRepository, type NewHold } from './stock.repository';

/** What the database did with one order's planned holds: see `StockRepository.holdOrders`. */
export type HoldWriteOutcome = 'held' | 'exists' | 'short';

/** Orders written together at most; calls in flight at once. */
const MAX_ORDERS_PER_CALL = 32;
const MAX_CALLS_IN_FLIGHT = 2;

interface Pending {
  document: string;
  resolve: (outcome: HoldWriteOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes checkout holds by group commit: holds arriving while a write is in flight wait and go
 * together in the next, up to 32 orders to a call and 2 calls at once. A call is one round trip
 * and one transaction (`stock_hold_orders`): when many buyers take from one lot, its row is locked
 * and its commit waited for once per call rather than once per buyer, which is what keeps a flash
 * sale from queueing every checkout behind the one before. When a call fails, each of its orders
 * is tried again alone, so that one bad order fails only itself.
 */
@Injectable()
export class StockHoldWriter {
  private readonly pending: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly repo: StockRepository,
  ) {}

  /** Takes the units of `holds` (all of one order, positions in array order) off their lots. */
  write(orderId: string, holds: NewHold[]): Promise<HoldWriteOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ document: document(orderId, holds), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_CALLS_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_ORDERS_PER_CALL);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.repo.holdOrders(
        this.em.fork(),
        batch.map((p) => p.document),
      );
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await this.repo.holdOrders(this.em.fork(), [p.document]))[0]!);
        } catch (alone) {
          p.reject(alone);
        }
      }
    }
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
