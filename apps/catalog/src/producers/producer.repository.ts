import type { FilterQuery } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import type { Producer, ProducerStatusName } from './producer.entity';

/** Every query on producers. */
export class ProducerRepository extends EntityRepository<Producer> {
  /** A page by name; `ownedBy` keeps those the user applied for or works for. */
  async page(options: {
    status?: ProducerStatusName;
    ownedBy?: { userId: string; producerIds: string[] };
    offset: number;
    limit: number;
  }): Promise<[Producer[], number]> {
    const where: FilterQuery<Producer> = options.status ? { status: options.status } : {};
    if (options.ownedBy) {
      where.$or = [{ appliedBy: options.ownedBy.userId }, { id: { $in: options.ownedBy.producerIds } }];
    }
    return this.findAndCount(where, {
      orderBy: { legalName: 'asc', id: 'asc' },
      offset: options.offset,
      limit: options.limit,
    });
  }

  /** Producers waiting for review, oldest application first, and how many there are. */
  async pending(limit: number): Promise<[Producer[], number]> {
    return this.findAndCount({ status: 'pending' }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit });
  }
}
