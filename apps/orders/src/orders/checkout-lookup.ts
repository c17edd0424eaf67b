import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
import type { BuyerUsage } from '../buyers/buyer-allowance.repository';
import { OrderRepository, type OrderRecord } from './order.repository';

/**
 * Checkout's first look under its key's in-flight lock (the key's order, the buyer's usage), read
 * together for concurrent checkouts: looks asked while a read is in flight go in the next one, up
 * to 32 to a statement (`OrderRepository.findManyForCheckout`), one statement at a time. Each
 * look is read by a statement sent after it was asked for, so after its lock was taken: it sees
 * every order committed before, as a read of its own would. The limits are decided again under
 * the buyer's lock when the order is written. When a read fails, each look is read again alone.
 */
@Injectable()
export class CheckoutLookup {
  private readonly queue: GroupCommit<
    { buyerId: string; key: string },
    { existing: OrderRecord | undefined; usage: BuyerUsage }
  >;

  constructor(em: EntityManager, repo: OrderRepository) {
    this.queue = new GroupCommit((lookups) => repo.findManyForCheckout(em.fork(), lookups), {
      maxPerCall: 32,
      maxCallsInFlight: 1,
    });
  }

  /** The order under `buyerId`'s `key`, if any, and the buyer's usage against its limits. */
  find(buyerId: string, key: string): Promise<{ existing: OrderRecord | undefined; usage: BuyerUsage }> {
    return this.queue.write({ buyerId, key });
  }
}
