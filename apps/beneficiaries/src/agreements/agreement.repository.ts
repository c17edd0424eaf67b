import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { OptionalProps } from '@mikro-orm/core';
import type { AgreementKindName, BenefitAgreement } from './benefit-agreement.entity';

/** A benefit_agreement row as read: the entity's columns, every one present (`effectiveTo` may be null). */
export type AgreementRecord = Required<Omit<BenefitAgreement, typeof OptionalProps>>;

/** A village collective share as its queries return it. */
export interface CollectiveShareRecord {
  id: string;
  producerId: string;
  villageId: string;
  shareBps: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

const collectiveColumns = (knex: Knex) => [
  'id',
  'producer_id as producerId',
  'village_id as villageId',
  'share_bps as shareBps',
  knex.raw('effective_from::text as "effectiveFrom"'),
  knex.raw('effective_to::text as "effectiveTo"'),
];

export interface ShareRecord {
  householdId: string;
  villageId: string;
  agreementId: string;
  kind: AgreementKindName;
  weight: number;
}

// Dates as text: node-pg would turn a `date` into a local-midnight Date.
const columns = (knex: Knex) => [
  'id',
  'producer_id as producerId',
  'household_id as householdId',
  'village_id as villageId',
  'kind',
  'weight',
  knex.raw('effective_from::text as "effectiveFrom"'),
  knex.raw('effective_to::text as "effectiveTo"'),
  'created_at as createdAt',
];

/** Rows valid on `date`: from inclusive, to exclusive. */
function validOn(query: Knex.QueryBuilder, date: string): Knex.QueryBuilder {
  return query
    .where('effective_from', '<=', date)
    .andWhere((q) => q.whereNull('effective_to').orWhere('effective_to', '>', date));
}

/** Every query on benefit agreements. */
@Injectable()
export class AgreementRepository {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return this.em.getKnex();
  }

  async insert(row: Omit<AgreementRecord, 'createdAt'>): Promise<AgreementRecord> {
    const [created] = await this.knex('benefit_agreement')
      .insert({
        id: row.id,
        producer_id: row.producerId,
        household_id: row.householdId,
        village_id: row.villageId,
        kind: row.kind,
        weight: row.weight,
        effective_from: row.effectiveFrom,
        effective_to: row.effectiveTo,
        created_at: new Date(),
      })
      .returning(columns(this.knex));
    return created as AgreementRecord;
  }

  async findById(id: string): Promise<AgreementRecord | undefined> {
    return this.knex('benefit_agreement').select(columns(this.knex)).where('id', id).first();
  }

  async householdVillage(householdId: string): Promise<string | undefined> {
    const row = await this.knex('household').select('village_id').where('id', householdId).first();
    return (row as { village_id: string } | undefined)?.village_id;
  }

  async page(
    filter: { householdId?: string; producerIds?: string[]; asOf?: string },
    offset: number,
    limit: number,
  ): Promise<[AgreementRecord[], number]> {
    const query = this.knex('benefit_agreement');
    if (filter.householdId) {
      query.where('household_id', filter.householdId);
    }
    if (filter.producerIds) {
      query.whereIn('producer_id', filter.producerIds);
    }
    if (filter.asOf) {
      validOn(query, filter.asOf);
    }
    const [rows, count] = await Promise.all([
      query
        .clone()
        .select(columns(this.knex))
        .orderBy([{ column: 'effective_from' }, { column: 'id' }])
        .offset(offset)
        .limit(limit),
      query.clone().count({ n: '*' }).first(),
    ]);
    return [rows as AgreementRecord[], Number((count as { n: string } | undefined)?.n ?? 0)];
  }

  async setEffectiveTo(id: string, effectiveTo: string): Promise<AgreementRecord | undefined> {
    const [row] = await this.knex('benefit_agreement')
      .where('id', id)
      .update({ effective_to: effectiveTo })
      .returning(columns(this.knex));
    return row as AgreementRecord | undefined;
  }

  /** The agreements of a producer valid on a date: an index-only scan of benefit_agreement_shares_index, in order. */
  async sharesOn(producerId: string, date: string): Promise<ShareRecord[]> {
    return validOn(
      this.knex('benefit_agreement')
        .select([
          'household_id as householdId',
          'village_id as villageId',
          'id as agreementId',
          'kind',
          'weight',
        ])
        .where('producer_id', producerId),
      date,
    ).orderBy([{ column: 'household_id' }, { column: 'id' }]) as Promise<ShareRecord[]>;
  }

  async villageExists(villageId: string): Promise<boolean> {
    return (await this.knex('village').select('id').where('id', villageId).first()) !== undefined;
  }

  async insertCollectiveShare(
    row: Omit<CollectiveShareRecord, 'id'> & { id: string },
  ): Promise<CollectiveShareRecord> {
    const [created] = await this.knex('village_collective_share')
      .insert({
        id: row.id,
        producer_id: row.producerId,
        village_id: row.villageId,
        share_bps: row.shareBps,
        effective_from: row.effectiveFrom,
        effective_to: row.effectiveTo,
        created_at: new Date(),
      })
      .returning(collectiveColumns(this.knex));
    return created as CollectiveShareRecord;
  }

  /** The village collective shares of the producer's sales valid on the date. */
  async collectiveSharesOn(producerId: string, date: string): Promise<CollectiveShareRecord[]> {
    return validOn(
      this.knex('village_collective_share')
        .select(collectiveColumns(this.knex))
        .where('producer_id', producerId),
      date,
    ).orderBy('village_id') as Promise<CollectiveShareRecord[]>;
  }

  /** For each given household that exists: its village and its supply agreement with the producer valid on the date, if any. */
  async supplyChecks(
    producerId: string,
    householdIds: string[],
    date: string,
  ): Promise<{ householdId: string; villageId: string; agreementId: string | null }[]> {
    if (householdIds.length === 0) {
      return [];
    }
    const { rows } = (await this.knex.raw(
      `select h.id as "householdId", h.village_id as "villageId",
         (select a.id from benefit_agreement a
           where a.household_id = h.id and a.producer_id = ? and a.kind = 'supply'
             and a.effective_from <= ?::date and (a.effective_to is null or a.effective_to > ?::date)
           limit 1) as "agreementId"
       from household h where h.id = any(?::uuid[])`,
      [producerId, date, date, `{${householdIds.join(',')}}`],
    )) as { rows: { householdId: string; villageId: string; agreementId: string | null }[] };
    return rows;
  }
}
