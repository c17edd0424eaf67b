import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
import { BUYER_LIMITS, type BuyerLimits } from '../buyers/buyer-limits.service';
import { OrderRepository, type NewOrderRecord, type PlaceResult } from './order.repository';

/**
 * Writes checkout's new orders by group commit: a call is one round trip and one commit
 * (`OrderRepository.placeMany`), each order counted against its buyer's limits under the buyer's
 * lock, so that concurrent checkouts of one buyer cannot pass a limit together. As many calls run
 * at once as the ORM's pool has connections, one order each; only orders arriving while all of
 * them are in flight wait, and go together (up to 32) in the next.
 */
@Injectable()
export class OrderPlacementWriter {
  private readonly queue: GroupCommit<{ order: NewOrderRecord; units: number }, PlaceResult>;

  constructor(em: EntityManager, repo: OrderRepository, @Inject(BUYER_LIMITS) defaults: BuyerLimits) {
    this.queue = new GroupCommit((orders) => repo.placeMany(em.fork(), orders, defaults), {
      maxPerCall: 32,
      maxCallsInFlight: em.config.get('pool')?.max ?? 10,
    });
  }

  /** Places `order` of `units` units in all, unless past its buyer's limits or its key is taken. */
  place(order: NewOrderRecord, units: number): Promise<PlaceResult> {
    return this.queue.write({ order, units });
  }
}
