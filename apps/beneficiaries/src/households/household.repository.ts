import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Knex } from '@mikro-orm/postgresql';
import type { HouseholdStatusName } from './household.entity';
import type { PiiAccess } from './pii-access.entity';

/** A household row with its village and town, personal fields still encrypted. */
export interface HouseholdRecord {
  id: string;
  archiveNumber: string;
  headNameEnc: string;
  nationalIdEnc: string;
  payoutAccountEnc: string | null;
  piiKeyId: string;
  members: number;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: HouseholdStatusName;
  exitYear: number | null;
  baselineIncomeFen: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface HouseholdFilter {
  townId?: string;
  villageId?: string;
  status?: HouseholdStatusName;
  /** Households linked by any agreement to one of these producers. */
  producerIds?: string[];
  archiveNumberPrefix?: string;
}

/** A pii_access row: the entity's columns as a plain object. */
export type PiiAccessRecord = Pick<PiiAccess, keyof PiiAccess>;

/** A pii_access row to write; it is stamped with the time of writing. */
export type PiiAccessEntry = Omit<PiiAccessRecord, 'accessedAt'>;

const COLUMNS = [
  'h.id',
  'h.archive_number as archiveNumber',
  'h.head_name_enc as headNameEnc',
  'h.national_id_enc as nationalIdEnc',
  'h.payout_account_enc as payoutAccountEnc',
  'h.pii_key_id as piiKeyId',
  'h.members',
  'h.village_id as villageId',
  'v.name_zh as villageNameZh',
  't.id as townId',
  't.name_zh as townNameZh',
  'h.status',
  'h.exit_year as exitYear',
  'h.baseline_income_fen as baselineIncomeFen',
  'h.created_at as createdAt',
  'h.updated_at as updatedAt',
];

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Every query on households and the PII access log. */
@Injectable()
export class HouseholdRepository {
  constructor(private readonly em: EntityManager) {}

  get knex(): Knex {
    return this.em.getKnex();
  }

  private base(knex: Knex = this.knex): Knex.QueryBuilder {
    return knex('household as h')
      .join('village as v', 'v.id', 'h.village_id')
      .join('town as t', 't.id', 'v.town_id');
  }

  async findById(id: string): Promise<HouseholdRecord | undefined> {
    return normalize(await this.base().select(COLUMNS).where('h.id', id).first());
  }

  async findByNationalIdHash(hash: string): Promise<HouseholdRecord | undefined> {
    return normalize(await this.base().select(COLUMNS).where('h.national_id_hash', hash).first());
  }

  /**
   * A page of households in archive-number order: `offset` rows in, or (keyset) right after the
   * archive number `after`, which stays cheap however deep the list goes. `next` is the archive
   * number to ask after for the following page, when there is one.
   */
  async page(
    filter: HouseholdFilter,
    { offset, limit, after }: { offset: number; limit: number; after?: string },
  ): Promise<{ records: HouseholdRecord[]; total: number; next?: string }> {
    const query = this.base();
    if (filter.townId) {
      query.where('t.id', filter.townId);
    }
    if (filter.villageId) {
      query.where('h.village_id', filter.villageId);
    }
    if (filter.status) {
      query.where('h.status', filter.status);
    }
    if (filter.archiveNumberPrefix) {
      query.whereRaw(`h.archive_number like ? escape '\\'`, [`${escapeLike(filter.archiveNumberPrefix)}%`]);
    }
    if (filter.producerIds) {
      const producerIds = filter.producerIds;
      query.whereExists((q) =>
        q
          .select(this.knex.raw('1'))
          .from('benefit_agreement as a')
          .whereRaw('a.household_id = h.id')
          .whereIn('a.producer_id', producerIds),
      );
    }
    const rowsQuery = query.clone().select(COLUMNS).orderBy('h.archive_number');
    if (after === undefined) {
      rowsQuery.offset(offset);
    } else {
      rowsQuery.where('h.archive_number', '>', after);
    }
    // One row more than the page says whether another follows.
    const [rows, count] = await Promise.all([
      rowsQuery.limit(limit + 1),
      query.clone().count({ n: '*' }).first(),
    ]);
    const records = (rows as HouseholdRecord[]).slice(0, limit).map((r) => normalize(r)!);
    return {
      records,
      total: Number((count as { n: string } | undefined)?.n ?? 0),
      next: rows.length > limit ? records[limit - 1].archiveNumber : undefined,
    };
  }

  /** Every household matching the filter, by id: no personal data, in id order. */
  async distributionRecipients(
    filter: Pick<HouseholdFilter, 'townId' | 'villageId' | 'status'> & { householdIds: string[] },
  ): Promise<
    { id: string; villageId: string; townId: string; members: number; status: HouseholdStatusName }[]
  > {
    const query = this.base().select(
      'h.id',
      'h.village_id as villageId',
      't.id as townId',
      'h.members',
      'h.status',
    );
    if (filter.townId) {
      query.where('t.id', filter.townId);
    }
    if (filter.villageId) {
      query.where('h.village_id', filter.villageId);
    }
    if (filter.status) {
      query.where('h.status', filter.status);
    }
    if (filter.householdIds.length > 0) {
      query.whereIn('h.id', filter.householdIds);
    }
    const rows = (await query.orderBy('h.id')) as {
      id: string;
      villageId: string;
      townId: string;
      members: number;
      status: HouseholdStatusName;
    }[];
    return rows.map((r) => ({ ...r, members: Number(r.members) }));
  }

  /** Whether an agreement (current or past) links the household to one of the producers. */
  async isLinked(householdId: string, producerIds: string[]): Promise<boolean> {
    if (producerIds.length === 0) {
      return false;
    }
    const row = await this.knex('benefit_agreement')
      .select(this.knex.raw('1'))
      .where('household_id', householdId)
      .whereIn('producer_id', producerIds)
      .first();
    return row !== undefined;
  }

  async villageExists(villageId: string): Promise<boolean> {
    return (await this.knex('village').select('id').where('id', villageId).first()) !== undefined;
  }

  async updateStatus(id: string, status: HouseholdStatusName, exitYear: number | null): Promise<boolean> {
    const updated = await this.knex('household')
      .where('id', id)
      .update({ status, exit_year: exitYear, updated_at: new Date() });
    return updated > 0;
  }

  async recordAccess(entry: PiiAccessEntry): Promise<void> {
    await this.recordAccesses([entry]);
  }

  /** Several access-log rows in one statement (one array parameter per column). */
  async recordAccesses(entries: PiiAccessEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await this.knex.raw(
      `insert into pii_access (id, user_id, role, household_id, purpose, action, accessed_at)
       select r.id, r.user_id, r.role, r.household_id, r.purpose, r.action, ?::timestamptz
       from unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[])
         as r(id, user_id, role, household_id, purpose, action)`,
      [
        new Date().toISOString(),
        entries.map((e) => e.id),
        entries.map((e) => e.userId),
        entries.map((e) => e.role),
        entries.map((e) => e.householdId),
        entries.map((e) => e.purpose),
        entries.map((e) => e.action),
      ] as Knex.Value[],
    );
  }

  async accessPage(
    filter: { householdId?: string; userId?: string },
    offset: number,
    limit: number,
  ): Promise<[PiiAccessRecord[], number]> {
    const query = this.knex('pii_access');
    if (filter.householdId) {
      query.where('household_id', filter.householdId);
    }
    if (filter.userId) {
      query.where('user_id', filter.userId);
    }
    const [rows, count] = await Promise.all([
      query
        .clone()
        .select([
          'id',
          'user_id as userId',
          'role',
          'household_id as householdId',
          'purpose',
          'action',
          'accessed_at as accessedAt',
        ])
        .orderBy([{ column: 'accessed_at', order: 'desc' }, { column: 'id' }])
        .offset(offset)
        .limit(limit),
      query.clone().count({ n: '*' }).first(),
    ]);
    return [rows as PiiAccessRecord[], Number((count as { n: string } | undefined)?.n ?? 0)];
  }

  /**
   * Up to `limit` households after `afterId` (in id order) whose personal data is not yet written
   * as `currentPrefix` says (`<active key id>.v2.`): under another key, or a version 1 envelope.
   * The three fields of a household are always written together, so the name's envelope tells.
   */
  async staleKeyBatch(
    activeKeyId: string,
    currentPrefix: string,
    afterId: string,
    limit: number,
  ): Promise<{ id: string; headNameEnc: string; nationalIdEnc: string; payoutAccountEnc: string | null }[]> {
    return this.knex('household')
      .select([
        'id',
        'head_name_enc as headNameEnc',
        'national_id_enc as nationalIdEnc',
        'payout_account_enc as payoutAccountEnc',
      ])
      .where('id', '>', afterId)
      .andWhere((q) =>
        q
          .whereNot('pii_key_id', activeKeyId)
          .orWhereRaw('substr(head_name_enc, 1, ?) <> ?', [currentPrefix.length, currentPrefix]),
      )
      .orderBy('id')
      .limit(limit);
  }

  async rewriteEnvelopes(
    rows: { id: string; headNameEnc: string; nationalIdEnc: string; payoutAccountEnc: string | null }[],
    keyId: string,
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      for (const row of rows) {
        await trx('household').where('id', row.id).update({
          head_name_enc: row.headNameEnc,
          national_id_enc: row.nationalIdEnc,
          payout_account_enc: row.payoutAccountEnc,
          pii_key_id: keyId,
        });
      }
    });
  }
}

function normalize(row: HouseholdRecord | undefined): HouseholdRecord | undefined {
  if (!row) {
    return undefined;
  }
  return { ...row, baselineIncomeFen: Number(row.baselineIncomeFen) };
}
