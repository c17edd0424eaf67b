import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ListingCache } from '../common/listing-cache.store';
import { pageSchema, parseRequest, type Loose } from '@yugong/shared/grpc';
import { HouseholdShareRepository, type HouseholdShareStep } from './household-share.repository';
import { Producer, type ProducerStatusName } from './producer.entity';
import {
  CreditCodeTaken,
  HouseholdShareChangeTaken,
  IllegalProducerTransition,
  ProducerNotFound,
} from './producer.errors';
import { ProducerRepository } from './producer.repository';
import {
  byIdSchema,
  createProducerSchema,
  setHouseholdShareSchema,
  setStatusSchema,
  type CreateProducerInput,
  type SetHouseholdShareInput,
} from './producer.schemas';

// Which status a producer may move to from each status.
const TRANSITIONS: Record<ProducerStatusName, ProducerStatusName[]> = {
  pending: ['verified'],
  verified: ['suspended'],
  suspended: ['verified'],
};

/** A producer with the history of its household share, oldest step first. */
export interface ProducerWithShares {
  producer: Producer;
  householdShares: HouseholdShareStep[];
}

/**
 * Registers producers, moves them through pending → verified → suspended, and keeps the history
 * of their household share.
 */
@Injectable()
export class ProducersService {
  constructor(
    @InjectRepository(Producer) private readonly producers: ProducerRepository,
    private readonly shares: HouseholdShareRepository,
    private readonly em: EntityManager,
    private readonly cache: ListingCache,
  ) {}

  /** Registers a producer; its household share is the first step of its history, in force now. */
  async create(caller: CallerIdentity | null, input: Loose<CreateProducerInput>): Promise<Producer> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const { householdShareBps, ...data } = parseRequest(createProducerSchema, input);
    const producer = this.producers.create(data);
    this.shares.add(this.em, {
      producerId: producer.id,
      basisPoints: householdShareBps,
      effectiveFrom: producer.createdAt,
      reason: 'share at registration',
      changedBy: officer.userId,
    });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new CreditCodeTaken(data.creditCode);
      }
      throw error;
    }
    producer.householdShareBps = householdShareBps;
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

  /** A producer as {@link get} sees it, with its household share history. */
  async getWithShares(caller: CallerIdentity | null, id: string): Promise<ProducerWithShares> {
    const producer = await this.get(caller, id);
    return { producer, householdShares: await this.shares.historyOf(this.em, producer.id) };
  }

  /**
   * A relief officer changes a producer's household share from an instant on (now or later,
   * never in the past), with a reason; the step joins the history. Checkout snapshots the share
   * in force when it holds stock, so lines already sold keep theirs. Asking again for the share
   * already in force from that instant records nothing (a repeated PUT changes nothing twice);
   * another change at the same instant is refused by the unique (producer, instant) index.
   */
  async setHouseholdShare(
    caller: CallerIdentity | null,
    input: Loose<SetHouseholdShareInput>,
  ): Promise<ProducerWithShares> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(setHouseholdShareSchema(new Date()), input);
    const em = this.em.fork();
    if (!(await em.count(Producer, { id: req.producerId }))) {
      throw new ProducerNotFound(req.producerId);
    }
    if ((await this.shares.inForceAt(em, req.producerId, req.effectiveFrom)) !== req.basisPoints) {
      this.shares.add(em, { ...req, changedBy: officer.userId });
      try {
        await em.flush();
      } catch (error) {
        const sameStep =
          error instanceof UniqueConstraintViolationException &&
          (await this.shares.inForceAt(this.em.fork(), req.producerId, req.effectiveFrom)) ===
            req.basisPoints;
        if (error instanceof UniqueConstraintViolationException && !sameStep) {
          throw new HouseholdShareChangeTaken();
        }
        if (!sameStep) {
          throw error;
        }
      }
    }
    return this.getWithShares(officer, req.producerId);
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
