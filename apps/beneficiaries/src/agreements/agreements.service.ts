import { Injectable } from '@nestjs/common';
import { canReadAll, isOfficer, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied, ValidationFailed } from '@yugong/shared/errors';
import { randomUUID } from 'node:crypto';
import { parseRequest } from '@yugong/shared/grpc';
import { HouseholdNotFound } from '../households/household.errors';
import {
  BenefitAgreementNotFound,
  isOverlapViolation,
  OverlappingAgreement,
  OverlappingCollectiveShare,
  VillageNotFound,
} from './agreement.errors';
import {
  AgreementRepository,
  type AgreementRecord,
  type CollectiveShareRecord,
  type ShareRecord,
} from './agreement.repository';
import {
  createAgreementSchema,
  createCollectiveShareSchema,
  endAgreementSchema,
  listAgreementsSchema,
  sharesSchema,
  validateSuppliersSchema,
} from './agreement.schemas';
import { chinaDateOf } from './as-of.util';
import { BenefitSharesCache } from './benefit-shares.cache';

/** Who shares in a producer's sales on one day. */
export interface SharesAnswer {
  shares: ShareRecord[];
  totalWeight: number;
  villageShares: CollectiveShareRecord[];
}

/** Benefit agreements (带贫关系) and the questions asked of them: who shares in a sale, who supplied a lot. */
@Injectable()
export class AgreementsService {
  constructor(
    private readonly agreements: AgreementRepository,
    private readonly sharesCache: BenefitSharesCache<SharesAnswer>,
  ) {}

  async create(caller: CallerIdentity | null, input: Record<string, unknown>): Promise<AgreementRecord> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createAgreementSchema, input);
    const villageId = await this.agreements.householdVillage(data.householdId);
    if (!villageId) {
      throw new HouseholdNotFound(data.householdId);
    }
    try {
      const created = await this.agreements.insert({ id: randomUUID(), ...data, villageId });
      this.sharesCache.invalidate();
      return created;
    } catch (error) {
      if (isOverlapViolation(error)) {
        throw new OverlappingAgreement();
      }
      throw error;
    }
  }

  async list(
    caller: CallerIdentity | null,
    input: { householdId?: unknown; producerId?: unknown; asOf?: Date; page?: unknown },
  ): Promise<{ items: AgreementRecord[]; total: number; page: number; pageSize: number }> {
    const filter = parseRequest(listAgreementsSchema, input);
    let producerIds = filter.producerId ? [filter.producerId] : undefined;
    if (!canReadAll(caller)) {
      if (caller?.role !== 'producer_staff') {
        throw new PermissionDenied(
          'benefit agreements are for the relief office, auditors and linked producers',
        );
      }
      if (filter.producerId && !caller.producerIds.includes(filter.producerId)) {
        throw new PermissionDenied('not allowed to see the agreements of this producer');
      }
      // Staff see their own producers' agreements only, whichever household they ask about.
      producerIds = filter.producerId ? [filter.producerId] : caller.producerIds;
    }
    const [items, total] = await this.agreements.page(
      {
        householdId: filter.householdId,
        producerIds,
        asOf: input.asOf ? chinaDateOf(input.asOf) : undefined,
      },
      filter.page.offset,
      filter.page.limit,
    );
    return { items, total, page: filter.page.page, pageSize: filter.page.pageSize };
  }

  async end(
    caller: CallerIdentity | null,
    input: { id?: unknown; effectiveTo?: unknown },
  ): Promise<AgreementRecord> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(endAgreementSchema, input);
    const agreement = await this.agreements.findById(data.id);
    if (!agreement) {
      throw new BenefitAgreementNotFound(data.id);
    }
    if (data.effectiveTo <= agreement.effectiveFrom) {
      throw new ValidationFailed([
        { field: 'effectiveTo', reason: "must be after the agreement's effectiveFrom" },
      ]);
    }
    const ended = await this.agreements.setEffectiveTo(data.id, data.effectiveTo);
    this.sharesCache.invalidate();
    return ended!;
  }

  /** Relief office: a village collective's share of a producer's sales, effective-dated. */
  async createCollectiveShare(
    caller: CallerIdentity | null,
    input: Record<string, unknown>,
  ): Promise<CollectiveShareRecord> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createCollectiveShareSchema, input);
    if (!(await this.agreements.villageExists(data.villageId))) {
      throw new VillageNotFound(data.villageId);
    }
    try {
      const created = await this.agreements.insertCollectiveShare({ id: randomUUID(), ...data });
      this.sharesCache.invalidate();
      return created;
    } catch (error) {
      if (isOverlapViolation(error)) {
        throw new OverlappingCollectiveShare();
      }
      throw error;
    }
  }

  /**
   * Who shares in a sale of the producer at the instant (now when unset): households with their
   * weights, and village collectives with their basis points.
   */
  async shares(
    caller: CallerIdentity | null,
    input: { producerId?: unknown; asOf?: Date },
  ): Promise<SharesAnswer> {
    const { producerId } = parseRequest(sharesSchema, input);
    this.requireInternalOrProducerReader(caller, producerId);
    const date = chinaDateOf(input.asOf ?? new Date());
    // Asked for every sale and rarely changed: kept until the database says agreements changed.
    return this.sharesCache.getOrLoad(producerId, date, async () => {
      const shares = await this.agreements.sharesOn(producerId, date);
      const villageShares = await this.agreements.collectiveSharesOn(producerId, date);
      return { shares, totalWeight: shares.reduce((sum, s) => sum + s.weight, 0), villageShares };
    });
  }

  /** Whether each household exists and holds a supply agreement with the producer valid at the instant. */
  async validateSuppliers(
    caller: CallerIdentity | null,
    input: { producerId?: unknown; householdIds?: unknown; asOf?: Date },
  ): Promise<{ householdId: string; ok: boolean; reason: string; villageId: string; agreementId: string }[]> {
    const data = parseRequest(validateSuppliersSchema, input);
    this.requireInternalOrProducerReader(caller, data.producerId);
    const found = new Map(
      (
        await this.agreements.supplyChecks(
          data.producerId,
          [...new Set(data.householdIds)],
          chinaDateOf(input.asOf ?? new Date()),
        )
      ).map((row) => [row.householdId, row]),
    );
    return data.householdIds.map((householdId) => {
      const row = found.get(householdId);
      if (!row) {
        return { householdId, ok: false, reason: 'household not found', villageId: '', agreementId: '' };
      }
      if (!row.agreementId) {
        return {
          householdId,
          ok: false,
          reason: 'no supply agreement with the producer at as_of',
          villageId: row.villageId,
          agreementId: '',
        };
      }
      return { householdId, ok: true, reason: '', villageId: row.villageId, agreementId: row.agreementId };
    });
  }

  /**
   * A service acting for itself (the controller admits only the ledger so), the relief office and
   * auditors, or the producer's own staff.
   */
  private requireInternalOrProducerReader(caller: CallerIdentity | null, producerId: string): void {
    if (caller === null || canReadAll(caller) || isOfficer(caller)) {
      return;
    }
    if (caller.role === 'producer_staff' && caller.producerIds.includes(producerId)) {
      return;
    }
    throw new PermissionDenied('not allowed to read the agreements of this producer');
  }
}
