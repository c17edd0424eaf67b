import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { pageSchema, parseRequest } from '@yugong/shared/grpc';

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

export interface RegisterSummary {
  households: number;
  people: number;
  villages: number;
  registeredPoorVillages: number;
  peopleLinked: number;
  towns: {
    townId: string;
    nameZh: string;
    villages: number;
    registeredPoorVillages: number;
    households: number;
    people: number;
  }[];
}

const villagesSchema = z.object({
  townId: z
    .string()
    .default('')
    .refine((s) => s === '' || z.string().uuid().safeParse(s).success, 'must be a UUID'),
  registeredPoorOnly: z.boolean().default(false),
  page: pageSchema,
});

/** The public side of the register: towns, villages and counts, never a person. */
@Injectable()
export class RegionsService {
  constructor(private readonly em: EntityManager) {}

  async listTowns(): Promise<TownView[]> {
    const rows = await this.em
      .getKnex()('town as t')
      .leftJoin('village as v', 'v.town_id', 't.id')
      .groupBy('t.id')
      .select([
        't.id',
        't.name_zh as nameZh',
        't.name_en as nameEn',
        this.em.getKnex().raw('count(v.id)::int as "villageCount"'),
      ])
      .orderBy([{ column: 't.position' }, { column: 't.name_zh' }]);
    return rows as TownView[];
  }

  async listVillages(input: {
    townId?: unknown;
    registeredPoorOnly?: unknown;
    page?: unknown;
  }): Promise<{ items: VillageView[]; total: number; page: number; pageSize: number }> {
    const filter = parseRequest(villagesSchema, input);
    const query = this.em.getKnex()('village as v').join('town as t', 't.id', 'v.town_id');
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
        .offset(filter.page.offset)
        .limit(filter.page.limit),
      query.clone().count({ n: '*' }).first(),
    ]);
    return {
      items: rows as VillageView[],
      total: Number((count as { n: string } | undefined)?.n ?? 0),
      page: filter.page.page,
      pageSize: filter.page.pageSize,
    };
  }

  async summary(): Promise<RegisterSummary> {
    const knex = this.em.getKnex();
    const { rows: towns } = (await knex.raw(`
      select t.id as "townId", t.name_zh as "nameZh",
        (select count(*)::int from village v where v.town_id = t.id) as villages,
        (select count(*)::int from village v where v.town_id = t.id and v.registered_poor) as "registeredPoorVillages",
        count(h.id)::int as households, coalesce(sum(h.members), 0)::int as people
      from town t
      left join village v on v.town_id = t.id
      left join household h on h.village_id = v.id
      group by t.id order by t.position, t.name_zh`)) as { rows: RegisterSummary['towns'] };
    const { rows: linked } = (await knex.raw(`
      select coalesce(sum(h.members), 0)::int as n from household h
      where exists (select 1 from benefit_agreement a where a.household_id = h.id
        and a.effective_from <= current_date and (a.effective_to is null or a.effective_to > current_date))`)) as {
      rows: { n: number }[];
    };
    const sum = (key: 'villages' | 'registeredPoorVillages' | 'households' | 'people') =>
      towns.reduce((total, town) => total + town[key], 0);
    return {
      households: sum('households'),
      people: sum('people'),
      villages: sum('villages'),
      registeredPoorVillages: sum('registeredPoorVillages'),
      peopleLinked: linked[0]?.n ?? 0,
      towns,
    };
  }
}
