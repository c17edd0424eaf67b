import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
import { StockRepository, type HoldPlan } from './stock.repository';

/**
 * Reads checkout hold plans together: plans asked while a read is in flight wait and go in the
 * next one, up to 32 orders to a statement (`StockRepository.holdPlans`), one statement at a time.
 * Every plan is read by a statement sent after it was asked for, so it sees what a read of its
 * own would have seen then or later (a product taken off sale before is not for sale); like any
 * plan it is unlocked, and the hold writer checks its units again under the lots' locks. When a
 * read fails, each of its plans is read again alone (`GroupCommit`).
 */
@Injectable()
export class StockHoldPlanner {
  private readonly queue: GroupCommit<{ orderId: string; productIds: string[] }, HoldPlan>;

  constructor(em: EntityManager, repo: StockRepository) {
    this.queue = new GroupCommit((requests) => repo.holdPlans(em.fork(), requests), {
      maxPerCall: 32,
      maxCallsInFlight: 1,
    });
  }

  /** What a hold of `orderId` on these products is planned on: see `StockRepository.holdPlan`. */
  plan(orderId: string, productIds: string[]): Promise<HoldPlan> {
    return this.queue.write({ orderId, productIds });
  }
}
