import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export interface TownView {
  id: string;
  nameZh: string;
  nameEn: string;
  villageCount: number;
}

export interface VillageView {
  id: string;
  townId: string;
  townNameZh: string;
  nameZh: string;
  nameEn: string;
  registeredPoor: boolean;
  exitYear: number | null;
}

/** The register's counts of one town. */
export interface TownCounts {
  townId: string;
  nameZh: string;
  villages: number;
  registeredPoorVillages: number;
  households: number;
  people: number;
}

/** Every query on towns and villages, and the register's counts by town. */
@Injectable()
export class RegionRepository {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return this.em.getKnex();
  }

  async listTowns(): Promise<TownView[]> {
    const rows = await this.knex('town as t')
      .leftJoin('village as v', 'v.town_id', 't.id')
      .groupBy('t.id')
      .select([
        't.id',
        't.name_zh as nameZh',
        't.name_en as nameEn',
        this.knex.raw('count(v.id)::int as "villageCount"'),
      ])
      .orderBy([{ column: 't.position' }, { column: 't.name_zh' }]);
    return rows as TownView[];
  }

  async pageVillages(
    filter: { townId?: string; registeredPoorOnly: boolean },
    offset: number,
    limit: number,
  ): Promise<[VillageView[], number]> {
    const query = this.knex('village as v').join('town as t', 't.id', 'v.town_id');
    if (filter.townId) {
      query.where('v.town_id', filter.townId);
    }
    if (filter.registeredPoorOnly) {
      query.where('v.registered_poor', true);
    }
    const [rows, count] = await Promise.all([
      query
        .clone()
        .select([
          'v.id',
          'v.town_id as townId',
          't.name_zh as townNameZh',
          'v.name_zh as nameZh',
          'v.name_en as nameEn',
          'v.registered_poor as registeredPoor',
          'v.exit_year as exitYear',
        ])
        .orderBy([{ column: 't.position' }, { column: 'v.name_zh' }])
        .offset(offset)
        .limit(limit),
      query.clone().count({ n: '*' }).first(),
    ]);
    return [rows as VillageView[], Number((count as { n: string } | undefined)?.n ?? 0)];
  }

  /** Villages, households and people of every town, in the towns' order. */
  async countsByTown(): Promise<TownCounts[]> {
    const { rows } = (await this.knex.raw(`
      select t.id as "townId", t.name_zh as "nameZh",
        (select count(*)::int from village v where v.town_id = t.id) as villages,
        (select count(*)::int from village v where v.town_id = t.id and v.registered_poor) as "registeredPoorVillages",
        count(h.id)::int as households, coalesce(sum(h.members), 0)::int as people
      from town t
      left join village v on v.town_id = t.id
      left join household h on h.village_id = v.id
      group by t.id order by t.position, t.name_zh`)) as { rows: TownCounts[] };
    return rows;
  }

  /** People of the households an agreement links to a producer today. */
  async peopleLinkedToday(): Promise<number> {
    const { rows } = (await this.knex.raw(`
      select coalesce(sum(h.members), 0)::int as n from household h
      where exists (select 1 from benefit_agreement a where a.household_id = h.id
        and a.effective_from <= current_date and (a.effective_to is null or a.effective_to > current_date))`)) as {
      rows: { n: number }[];
    };
    return rows[0]?.n ?? 0;
  }
}
