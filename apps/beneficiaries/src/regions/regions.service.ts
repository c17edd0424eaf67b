import { Injectable } from '@nestjs/common';
import { parseRequest } from '@yugong/shared/grpc';
import { RegionRepository, type TownCounts, type TownView, type VillageView } from './region.repository';
import { listVillagesSchema } from './region.schemas';

export interface RegisterSummary {
  households: number;
  people: number;
  villages: number;
  registeredPoorVillages: number;
  peopleLinked: number;
  towns: TownCounts[];
}

/** The public side of the register: towns, villages and counts, never a person. */
@Injectable()
export class RegionsService {
  constructor(private readonly regions: RegionRepository) {}

  async listTowns(): Promise<TownView[]> {
    return this.regions.listTowns();
  }

  async listVillages(input: {
    townId?: unknown;
    registeredPoorOnly?: unknown;
    page?: unknown;
  }): Promise<{ items: VillageView[]; total: number; page: number; pageSize: number }> {
    const filter = parseRequest(listVillagesSchema, input);
    const [items, total] = await this.regions.pageVillages(
      { townId: filter.townId || undefined, registeredPoorOnly: filter.registeredPoorOnly },
      filter.page.offset,
      filter.page.limit,
    );
    return { items, total, page: filter.page.page, pageSize: filter.page.pageSize };
  }

  async summary(): Promise<RegisterSummary> {
    const towns = await this.regions.countsByTown();
    const peopleLinked = await this.regions.peopleLinkedToday();
    const sum = (key: 'villages' | 'registeredPoorVillages' | 'households' | 'people') =>
      towns.reduce((total, town) => total + town[key], 0);
    return {
      households: sum('households'),
      people: sum('people'),
      villages: sum('villages'),
      registeredPoorVillages: sum('registeredPoorVillages'),
      peopleLinked,
      towns,
    };
  }
}
