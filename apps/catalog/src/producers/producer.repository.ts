import { EntityRepository } from '@mikro-orm/postgresql';
import type { Producer, ProducerStatusName } from './producer.entity';

/** Every query on producers. */
export class ProducerRepository extends EntityRepository<Producer> {
  async page(options: {
    status?: ProducerStatusName;
    offset: number;
    limit: number;
  }): Promise<[Producer[], number]> {
    return this.findAndCount(options.status ? { status: options.status } : {}, {
      orderBy: { legalName: 'asc', id: 'asc' },
      offset: options.offset,
      limit: options.limit,
    });
  }
}
