import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isOfficer, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied, ValidationFailed } from '@yugong/shared/errors';
import { randomUUID } from 'node:crypto';
import { encodeCursor, parseRequest, type Loose } from '@yugong/shared/grpc';
import { PiiCipher } from '../pii/pii-cipher';
import { Household, type HouseholdStatusName } from './household.entity';
import { ArchiveNumberTaken, HouseholdNotFound, NationalIdTaken, PurposeRequired } from './household.errors';
import { HouseholdRepository, type PiiAccessRecord } from './household.repository';
import {
  createHouseholdSchema,
  findByNationalIdSchema,
  getHouseholdSchema,
  listAccessSchema,
  distributionRecipientsSchema,
  listHouseholdsSchema,
  updateStatusSchema,
  type CreateHouseholdInput,
  type DistributionRecipientsInput,
  type ListHouseholdsInput,
} from './household.schemas';
import { householdView, type HouseholdScope, type HouseholdView } from './household.view';

/** Roles that read households at all (masked unless officer). */
const HOUSEHOLD_READERS = ['relief_officer', 'admin', 'auditor', 'producer_staff'] as const;

/** What a reader sees of a household unless it is a stated read by the relief office. */
function maskedScopeOf(reader: CallerIdentity): HouseholdScope {
  return reader.role === 'producer_staff' ? 'linked' : 'masked';
}

function requireHouseholdReader(caller: CallerIdentity | null): CallerIdentity {
  if (!caller || !(HOUSEHOLD_READERS as readonly string[]).includes(caller.role)) {
    // Consumers, institutions and the public see counts and village names only.
    throw new PermissionDenied('household records are for the relief office, auditors and linked producers');
  }
  return caller;
}

/**
 * The household register: who may see which household, in full or masked, and the log of every
 * unmasked read. Personal data never leaves this service unmasked except to the relief office.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    private readonly households: HouseholdRepository,
    private readonly em: EntityManager,
    private readonly cipher: PiiCipher,
  ) {}

  async create(caller: CallerIdentity | null, input: Loose<CreateHouseholdInput>): Promise<HouseholdView> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createHouseholdSchema, input);
    if (!(await this.households.villageExists(data.villageId))) {
      throw new ValidationFailed([{ field: 'villageId', reason: 'is not a known village' }]);
    }
    // The id exists before the personal data is encrypted: each envelope is bound to it.
    const id = randomUUID();
    const household = this.em.create(Household, {
      id,
      archiveNumber: data.archiveNumber,
      village: data.villageId,
      headNameEnc: this.cipher.encrypt('head_name', data.headName, id),
      nationalIdEnc: this.cipher.encrypt('national_id', data.nationalId, id),
      nationalIdHash: this.cipher.hashNationalId(data.nationalId),
      payoutAccountEnc: data.payoutAccount
        ? this.cipher.encrypt('payout_account', data.payoutAccount, id)
        : null,
      piiKeyId: this.cipher.activeKeyId,
      members: data.members,
      status: data.status,
      exitYear: data.exitYear,
      baselineIncomeFen: data.baselineIncome,
    });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw String(error.message).includes('national_id_hash')
          ? new NationalIdTaken()
          : new ArchiveNumberTaken();
      }
      throw error;
    }
    // The creator sent the data; the answer is masked like every other view that is not a stated read.
    return this.view(household.id, 'masked');
  }

  /**
   * One household. Officers get it in full only with a purpose (and the read is logged), or masked
   * when they ask for that; auditors masked; producer staff masked, without baseline income or
   * payout account, and only when linked.
   */
  async get(
    caller: CallerIdentity | null,
    input: { id?: unknown; purpose?: unknown; masked?: unknown },
  ): Promise<HouseholdView> {
    const reader = requireHouseholdReader(caller);
    const { id, purpose } = parseRequest(getHouseholdSchema, input);
    const full = isOfficer(reader) && input.masked !== true;
    if (full && purpose === '') {
      throw new PurposeRequired();
    }
    const record = await this.households.findById(id);
    if (!record) {
      throw new HouseholdNotFound(id);
    }
    if (reader.role === 'producer_staff' && !(await this.households.isLinked(id, reader.producerIds))) {
      throw new HouseholdNotFound(id);
    }
    // Decrypted first: a record that cannot be read (PII_UNREADABLE) leaves no access-log row.
    const view = householdView(record, this.cipher, full ? 'full' : maskedScopeOf(reader));
    if (full) {
      await this.logAccess(reader, id, purpose, 'GetHousehold');
    }
    return view;
  }

  /** For the ledger (a distribution run, an allocation): households by filter or id, ids and counts only. */
  async distributionRecipients(input: Loose<DistributionRecipientsInput>) {
    const filter = parseRequest(distributionRecipientsSchema, input);
    return this.households.distributionRecipients({
      townId: filter.townId,
      villageId: filter.villageId,
      status: filter.status,
      householdIds: filter.householdIds,
    });
  }

  /** Pages of households, always masked; producer staff see only households linked to their producers. */
  async list(
    caller: CallerIdentity | null,
    input: Loose<ListHouseholdsInput>,
  ): Promise<{ items: HouseholdView[]; total: number; page: number; pageSize: number; nextCursor: string }> {
    const reader = requireHouseholdReader(caller);
    const filter = parseRequest(listHouseholdsSchema, input);
    let producerIds = filter.producerId ? [filter.producerId] : undefined;
    if (reader.role === 'producer_staff') {
      if (filter.producerId && !reader.producerIds.includes(filter.producerId)) {
        throw new PermissionDenied('not allowed to see the households of this producer');
      }
      producerIds ??= reader.producerIds;
    }
    const after = filter.cursor?.[0];
    const { records, total, next } = await this.households.page(
      {
        townId: filter.townId,
        villageId: filter.villageId,
        status: filter.status,
        producerIds,
        archiveNumberPrefix: filter.archiveNumberPrefix || undefined,
      },
      { ...filter.page, after },
    );
    return {
      items: records.map((r) => householdView(r, this.cipher, maskedScopeOf(reader))),
      total,
      page: after === undefined ? filter.page.page : 0,
      pageSize: filter.page.pageSize,
      nextCursor: next === undefined ? '' : encodeCursor([next]),
    };
  }

  async updateStatus(
    caller: CallerIdentity | null,
    input: { id?: unknown; status?: unknown; exitYear?: unknown },
  ): Promise<HouseholdView> {
    requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(updateStatusSchema, input);
    if (!(await this.households.updateStatus(data.id, data.status, data.exitYear))) {
      throw new HouseholdNotFound(data.id);
    }
    return this.view(data.id, 'masked');
  }

  /** Relief office: the household with this national ID, found through the keyed hash; the read is logged. */
  async findByNationalId(
    caller: CallerIdentity | null,
    input: { nationalId?: unknown; purpose?: unknown },
  ): Promise<HouseholdView | undefined> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const { nationalId, purpose } = parseRequest(findByNationalIdSchema, input);
    if (purpose === '') {
      throw new PurposeRequired();
    }
    const record = await this.households.findByNationalIdHash(this.cipher.hashNationalId(nationalId));
    if (!record) {
      return undefined;
    }
    const view = householdView(record, this.cipher, 'full');
    await this.logAccess(officer, record.id, purpose, 'FindHouseholdByNationalId');
    return view;
  }

  async listAccess(
    caller: CallerIdentity | null,
    input: { page?: unknown; householdId?: unknown; userId?: unknown },
  ): Promise<{ items: PiiAccessRecord[]; total: number; page: number; pageSize: number }> {
    requireRole(caller, 'auditor', 'relief_officer', 'admin');
    const filter = parseRequest(listAccessSchema, input);
    const [items, total] = await this.households.accessPage(
      { householdId: filter.householdId, userId: filter.userId || undefined },
      filter.page.offset,
      filter.page.limit,
    );
    return { items, total, page: filter.page.page, pageSize: filter.page.pageSize };
  }

  /**
   * Re-encrypts every household still under an old key, or still in version 1 envelopes (not
   * bound to the household), as version 2 under the active key, in batches; returns how many rows
   * changed. Safe to run while serving, and again after it stopped halfway.
   */
  async rotateKeys(batchSize = 500): Promise<number> {
    let rotated = 0;
    let afterId = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = await this.households.staleKeyBatch(
        this.cipher.activeKeyId,
        this.cipher.currentPrefix,
        afterId,
        batchSize,
      );
      if (batch.length === 0) {
        return rotated;
      }
      await this.households.rewriteEnvelopes(
        batch.map((row) => ({
          id: row.id,
          headNameEnc: this.cipher.rotate('head_name', row.headNameEnc, row.id),
          nationalIdEnc: this.cipher.rotate('national_id', row.nationalIdEnc, row.id),
          payoutAccountEnc: row.payoutAccountEnc
            ? this.cipher.rotate('payout_account', row.payoutAccountEnc, row.id)
            : null,
        })),
        this.cipher.activeKeyId,
      );
      rotated += batch.length;
      afterId = batch[batch.length - 1].id;
    }
  }

  private async view(id: string, scope: HouseholdScope): Promise<HouseholdView> {
    const record = await this.households.findById(id);
    if (!record) {
      throw new HouseholdNotFound(id);
    }
    return householdView(record, this.cipher, scope);
  }

  private async logAccess(
    caller: CallerIdentity,
    householdId: string,
    purpose: string,
    action: string,
  ): Promise<void> {
    await this.households.recordAccess({
      id: randomUUID(),
      userId: caller.userId,
      role: caller.role,
      householdId,
      purpose,
      action,
    });
  }
}

export type { HouseholdStatusName };
