import { Injectable } from '@nestjs/common';
import { beneficiaries, type Timestamp } from '@yugong/contracts';
import { isOfficer } from '@yugong/shared/auth';
import { PermissionDenied, ValidationFailed } from '@yugong/shared/errors';
import { enumWire } from '../catalog/catalog.views';
import type { CallContext } from '../catalog/catalog-gateway.service';
import { BeneficiariesClient } from './beneficiaries.client';
import type {
  AccessLogQuery,
  CreateAgreementDto,
  CreateHouseholdDto,
  FindHouseholdDto,
  GetHouseholdQuery,
  ListAgreementsQuery,
  ListHouseholdsQuery,
  ListVillagesQuery,
  ProducerHouseholdsQuery,
  UpdateHouseholdStatusDto,
} from './dto/beneficiaries.dto';
import {
  agreementJson,
  householdJson,
  pageJson,
  piiAccessJson,
  shareJson,
  summaryJson,
  townJson,
  villageJson,
} from './beneficiaries.views';

const page = (q: { page?: number; pageSize?: number }) => ({ page: q.page ?? 1, pageSize: q.pageSize ?? 20 });

function timestampOf(iso: string | undefined): Timestamp | undefined {
  if (iso === undefined) {
    return undefined;
  }
  const ms = Date.parse(iso);
  return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}

const status = (name: string | undefined) =>
  enumWire<beneficiaries.HouseholdStatus>(name, 'HOUSEHOLD_STATUS_');

/**
 * The beneficiary register as the REST API serves it. Each call carries the caller, and
 * beneficiaries decides what that caller may see (full, masked, or nothing).
 */
@Injectable()
export class BeneficiariesGatewayService {
  constructor(private readonly beneficiaries: BeneficiariesClient) {}

  async listTowns(ctx: CallContext) {
    const res = await this.beneficiaries.call('listTowns', {}, { ...ctx, idempotent: true });
    return { items: res.towns.map(townJson) };
  }

  async listVillages(query: ListVillagesQuery, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'listVillages',
      {
        townId: query.townId ?? '',
        registeredPoorOnly: query.registeredPoorOnly ?? false,
        page: page(query),
      },
      { ...ctx, idempotent: true },
    );
    return pageJson(res.villages, res.page, villageJson);
  }

  async summary(ctx: CallContext) {
    return summaryJson(await this.beneficiaries.call('getRegisterSummary', {}, { ...ctx, idempotent: true }));
  }

  async listHouseholds(query: ListHouseholdsQuery, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'listHouseholds',
      {
        page: page(query),
        townId: query.townId ?? '',
        villageId: query.villageId ?? '',
        status: status(query.status),
        producerId: query.producerId ?? '',
        archiveNumberPrefix: query.archiveNumber ?? '',
        cursor: query.cursor ?? '',
      },
      { ...ctx, idempotent: true },
    );
    return {
      ...pageJson(res.households, res.page, (h) => householdJson(h, ctx.caller)),
      nextCursor: res.nextCursor || null,
    };
  }

  /** The households linked to a producer; staff of another producer are refused here already. */
  async producerHouseholds(producerId: string, query: ProducerHouseholdsQuery, ctx: CallContext) {
    const caller = ctx.caller;
    if (caller?.role === 'producer_staff' && !caller.producerIds.includes(producerId)) {
      throw new PermissionDenied('not allowed to see the households of this producer');
    }
    return this.listHouseholds({ ...query, producerId }, ctx);
  }

  async getHousehold(id: string, query: GetHouseholdQuery, ctx: CallContext) {
    if (isOfficer(ctx.caller) && !query.masked && !query.purpose) {
      throw new ValidationFailed([
        {
          field: 'purpose',
          reason: 'is required for the unmasked view of personal data (or ask masked=true)',
        },
      ]);
    }
    // Not idempotent: an unmasked read is recorded, once.
    const res = await this.beneficiaries.call(
      'getHousehold',
      { id, purpose: query.purpose ?? '', masked: query.masked ?? false },
      ctx,
    );
    return householdJson(res.household!, ctx.caller);
  }

  async findHousehold(body: FindHouseholdDto, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'findHouseholdByNationalId',
      { nationalId: body.nationalId, purpose: body.purpose },
      ctx,
    );
    return { household: res.household ? householdJson(res.household, ctx.caller) : null };
  }

  async createHousehold(body: CreateHouseholdDto, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'createHousehold',
      {
        archiveNumber: body.archiveNumber,
        headName: body.headName,
        nationalId: body.nationalId,
        members: body.members,
        villageId: body.villageId,
        status: status(body.status),
        exitYear: body.exitYear ?? 0,
        baselineIncome:
          body.baselineIncomeFen === undefined ? undefined : { fen: body.baselineIncomeFen, currency: 'CNY' },
        payoutAccount: body.payoutAccount ?? '',
      },
      ctx,
    );
    return householdJson(res.household!, ctx.caller);
  }

  async updateHouseholdStatus(id: string, body: UpdateHouseholdStatusDto, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'updateHouseholdStatus',
      { id, status: status(body.status), exitYear: body.exitYear ?? 0 },
      ctx,
    );
    return householdJson(res.household!, ctx.caller);
  }

  async createAgreement(body: CreateAgreementDto, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'createBenefitAgreement',
      {
        producerId: body.producerId,
        householdId: body.householdId,
        kind: enumWire<beneficiaries.AgreementKind>(body.kind, 'AGREEMENT_KIND_'),
        weight: body.weight,
        effectiveFrom: body.effectiveFrom,
        effectiveTo: body.effectiveTo ?? '',
      },
      ctx,
    );
    return agreementJson(res.agreement!);
  }

  async listAgreements(query: ListAgreementsQuery, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'listBenefitAgreements',
      {
        householdId: query.householdId ?? '',
        producerId: query.producerId ?? '',
        asOf: timestampOf(query.asOf),
        page: page(query),
      },
      { ...ctx, idempotent: true },
    );
    return pageJson(res.agreements, res.page, agreementJson);
  }

  async endAgreement(id: string, effectiveTo: string, ctx: CallContext) {
    // Setting the same end again changes nothing: safe to repeat.
    const res = await this.beneficiaries.call(
      'endBenefitAgreement',
      { id, effectiveTo },
      { ...ctx, idempotent: true },
    );
    return agreementJson(res.agreement!);
  }

  async benefitShares(producerId: string, asOf: string | undefined, ctx: CallContext) {
    const at = timestampOf(asOf) ?? timestampOf(new Date().toISOString());
    const res = await this.beneficiaries.call(
      'getBenefitShares',
      { producerId, asOf: at, compact: false },
      { ...ctx, idempotent: true },
    );
    return {
      producerId,
      asOf: new Date(at!.seconds * 1000 + at!.nanos / 1e6).toISOString(),
      totalWeight: res.totalWeight,
      shares: res.shares.map(shareJson),
    };
  }

  async accessLog(query: AccessLogQuery, ctx: CallContext) {
    const res = await this.beneficiaries.call(
      'listPiiAccess',
      { page: page(query), householdId: query.householdId ?? '', userId: query.userId ?? '' },
      { ...ctx, idempotent: true },
    );
    return pageJson(res.entries, res.page, piiAccessJson);
  }
}
