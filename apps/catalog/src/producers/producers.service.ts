import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, requireCaller, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ListingCache } from '../common/listing-cache.store';
import { pageSchema, parseRequest, type Loose } from '@yugong/shared/grpc';
import { HouseholdShareRepository, type HouseholdShareStep } from './household-share.repository';
import { Producer, type ProducerStatusName } from './producer.entity';
import {
  CreditCodeTaken,
  HouseholdShareChangeTaken,
  IllegalProducerTransition,
  ProducerNotFound,
  StatusReasonRequired,
} from './producer.errors';
import {
  ProducerStatusHistoryRepository,
  type ProducerStatusStep,
} from './producer-status-history.repository';
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

/** A producer with the histories of its household share and its status, oldest step first. */
export interface ProducerWithShares {
  producer: Producer;
  householdShares: HouseholdShareStep[];
  statusHistory: ProducerStatusStep[];
}

/**
 * Takes producers' applications, moves them through pending → verified → suspended (and back) with
 * the history of each move, and keeps the history of their household share.
 */
@Injectable()
export class ProducersService {
  constructor(
    @InjectRepository(Producer) private readonly producers: ProducerRepository,
    private readonly shares: HouseholdShareRepository,
    private readonly statusHistory: ProducerStatusHistoryRepository,
    private readonly em: EntityManager,
    private readonly cache: ListingCache,
  ) {}

  /** Registers a producer; its household share is the first step of its history, in force now. */
  /**
   * A producer's application (producer staff, who may then read it while pending) or registration
   * by the relief office; either way it is pending until an officer verifies it. Its household
   * share is the first step of its history, in force now; the application the first of its status.
   */
  async create(caller: CallerIdentity | null, input: Loose<CreateProducerInput>): Promise<Producer> {
    const applicant = requireRole(caller, 'relief_officer', 'admin', 'producer_staff');
    const { householdShareBps, ...data } = parseRequest(createProducerSchema, input);
    const producer = this.producers.create({
      ...data,
      status: 'pending',
      appliedBy: applicant.role === 'producer_staff' ? applicant.userId : null,
    });
    this.shares.add(this.em, {
      producerId: producer.id,
      basisPoints: householdShareBps,
      effectiveFrom: producer.createdAt,
      reason: 'share at registration',
      changedBy: applicant.userId,
    });
    this.statusHistory.add(this.em, {
      producerId: producer.id,
      fromStatus: null,
      toStatus: 'pending',
      reason: applicant.role === 'producer_staff' ? 'application' : 'registered by the relief office',
      changedBy: applicant.userId,
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
    if (!producer || (producer.status !== 'verified' && !this.seesUnverified(caller, producer))) {
      throw new ProducerNotFound(id);
    }
    return producer;
  }

  /** A producer as {@link get} sees it, with its household share and status histories. */
  async getWithShares(caller: CallerIdentity | null, id: string): Promise<ProducerWithShares> {
    const producer = await this.get(caller, id);
    return {
      producer,
      householdShares: await this.shares.historyOf(this.em, producer.id),
      statusHistory: await this.statusHistory.historyOf(this.em, producer.id),
    };
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

  /**
   * A page of producers. The public sees verified ones only; with `mine`, a signed-in caller sees
   * the producers it applied for or works for, whatever their status (an applicant's own view).
   */
  async list(
    caller: CallerIdentity | null,
    input: { status?: ProducerStatusName; mine?: boolean; page?: { page?: number; pageSize?: number } },
  ): Promise<{ items: Producer[]; total: number; page: number; pageSize: number }> {
    const page = parseRequest(pageSchema, input.page);
    if (input.mine) {
      const known = requireCaller(caller);
      const [items, total] = await this.producers.page({
        status: input.status,
        ownedBy: { userId: known.userId, producerIds: known.producerIds },
        offset: page.offset,
        limit: page.limit,
      });
      return { items, total, page: page.page, pageSize: page.pageSize };
    }
    // The public only ever sees verified producers.
    const status = canReadAll(caller) ? input.status : 'verified';
    const [items, total] = await this.producers.page({ status, offset: page.offset, limit: page.limit });
    return { items, total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * A relief officer's review: verifies a pending producer, suspends a verified one or reinstates
   * a suspended one, with a reason (required to suspend and to reinstate); the move joins the
   * history. The status row is locked so two officers' moves are recorded one after the other.
   */
  async setStatus(
    caller: CallerIdentity | null,
    input: Loose<{ id: string; status: string; reason?: string }>,
  ): Promise<Producer> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const { id, status: target, reason } = parseRequest(setStatusSchema, input);
    const moved = await this.em.fork().transactional(async (tx) => {
      const producer = await tx.findOne(Producer, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!producer) {
        throw new ProducerNotFound(id);
      }
      if (producer.status === target) {
        return false;
      }
      if (!TRANSITIONS[producer.status].includes(target)) {
        throw new IllegalProducerTransition(producer.status, target);
      }
      if (reason === '' && (target === 'suspended' || producer.status === 'suspended')) {
        throw new StatusReasonRequired(producer.status, target);
      }
      this.statusHistory.add(tx, {
        producerId: id,
        fromStatus: producer.status,
        toStatus: target,
        reason,
        changedBy: officer.userId,
      });
      producer.status = target;
      return true;
    });
    if (moved) {
      await this.cache.invalidate();
    }
    return (await this.em.fork().findOne(Producer, { id }))!;
  }

  private seesUnverified(caller: CallerIdentity | null, producer: Producer): boolean {
    return (
      canReadAll(caller) ||
      (caller?.role === 'producer_staff' &&
        (caller.producerIds.includes(producer.id) || producer.appliedBy === caller.userId))
    );
  }
}
