import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ListingCache } from '../common/listing-cache.store';
import { pageSchema, parseRequest, type Loose } from '@yugong/shared/grpc';
import { Producer, type ProducerStatusName } from './producer.entity';
import { CreditCodeTaken, IllegalProducerTransition, ProducerNotFound } from './producer.errors';
import { ProducerRepository } from './producer.repository';
import {
  byIdSchema,
  createProducerSchema,
  setStatusSchema,
  type CreateProducerInput,
} from './producer.schemas';

// Which status a producer may move to from each status.
const TRANSITIONS: Record<ProducerStatusName, ProducerStatusName[]> = {
  pending: ['verified'],
  verified: ['suspended'],
  suspended: ['verified'],
};

/** Registers producers and moves them through pending → verified → suspended. */
@Injectable()
export class ProducersService {
  constructor(
    @InjectRepository(Producer) private readonly producers: ProducerRepository,
    private readonly em: EntityManager,
    private readonly cache: ListingCache,
  ) {}

  async create(caller: CallerIdentity | null, input: Loose<CreateProducerInput>): Promise<Producer> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createProducerSchema, input);
    const producer = this.producers.create(data);
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new CreditCodeTaken(data.creditCode);
      }
      throw error;
    }
    return producer;
  }

  /** A producer; the public sees verified producers only. */
  async get(caller: CallerIdentity | null, id: string): Promise<Producer> {
    const producer = await this.producers.findOne(parseRequest(byIdSchema, { id }));
    if (!producer || (producer.status !== 'verified' && !this.seesUnverified(caller, producer.id))) {
      throw new ProducerNotFound(id);
    }
    return producer;
  }

  async list(
    caller: CallerIdentity | null,
    input: { status?: ProducerStatusName; page?: { page?: number; pageSize?: number } },
  ): Promise<{ items: Producer[]; total: number; page: number; pageSize: number }> {
    const page = parseRequest(pageSchema, input.page);
    // The public only ever sees verified producers.
    const status = canReadAll(caller) ? input.status : 'verified';
    const [items, total] = await this.producers.page({ status, offset: page.offset, limit: page.limit });
    return { items, total, page: page.page, pageSize: page.pageSize };
  }

  async setStatus(caller: CallerIdentity | null, id: string, status: string): Promise<Producer> {
    requireRole(caller, 'relief_officer', 'admin');
    const { status: target } = parseRequest(setStatusSchema, { id, status });
    const producer = await this.producers.findOne({ id });
    if (!producer) {
      throw new ProducerNotFound(id);
    }
    if (producer.status === target) {
      return producer;
    }
    if (!TRANSITIONS[producer.status].includes(target)) {
      throw new IllegalProducerTransition(producer.status, target);
    }
    producer.status = target;
    await this.em.flush();
    await this.cache.invalidate();
    return producer;
  }

  private seesUnverified(caller: CallerIdentity | null, producerId: string): boolean {
    return (
      canReadAll(caller) || (caller?.role === 'producer_staff' && caller.producerIds.includes(producerId))
    );
  }
}
