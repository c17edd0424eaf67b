import { api, ok } from '../api/client';
import type { Page, Producer, Product, RegisterSummary, Village } from '../api/views';

/**
 * The ledger speaks in ids (towns, villages, producers, products, households); these are the
 * names the relief office knows them by, read from the register and the catalogue once per page
 * load. Households stay ids: the ledger holds no name, and the reports show none.
 */
export interface LedgerNames {
  town(id: string): string;
  village(id: string): string;
  /** The village and its town: names of villages repeat across towns. */
  villageInTown(id: string): string;
  producer(id: string): string;
  product(id: string): string;
}

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

const loading = new Map<boolean, Promise<LedgerNames>>();

async function allPages<T>(load: (page: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= 20; page += 1) {
    const got = await load(page);
    items.push(...got.items);
    if (items.length >= got.total || got.items.length === 0) {
      break;
    }
  }
  return items;
}

async function loadNames(english: boolean): Promise<LedgerNames> {
  const summary = await ok<RegisterSummary>(api.GET('/api/v1/register/summary'));
  const [villages, producers, products] = await Promise.all([
    Promise.all(
      summary.towns.map((town) =>
        allPages((page) =>
          ok<Page<Village>>(
            api.GET('/api/v1/villages', { params: { query: { townId: town.townId, page, pageSize: 100 } } }),
          ),
        ),
      ),
    ).then((lists) => lists.flat()),
    allPages((page) =>
      ok<Page<Producer>>(api.GET('/api/v1/producers', { params: { query: { page, pageSize: 100 } } })),
    ),
    allPages((page) =>
      ok<Page<Product>>(api.GET('/api/v1/products', { params: { query: { page, pageSize: 100 } } })),
    ),
  ]);
  const towns = new Map(summary.towns.map((town) => [town.townId, town.nameZh]));
  const villageNames = new Map(villages.map((v) => [v.id, english ? v.nameEn || v.nameZh : v.nameZh]));
  const villageTowns = new Map(villages.map((v) => [v.id, towns.get(v.townId) ?? v.townNameZh]));
  const producerNames = new Map(producers.map((p) => [p.id, p.legalName]));
  const productNames = new Map(products.map((p) => [p.id, english ? p.nameEn || p.nameZh : p.nameZh]));
  return {
    town: (id) => towns.get(id) ?? short(id),
    village: (id) => villageNames.get(id) ?? short(id),
    villageInTown: (id) =>
      villageNames.has(id) ? `${villageNames.get(id)} · ${villageTowns.get(id) ?? ''}` : short(id),
    producer: (id) => producerNames.get(id) ?? short(id),
    product: (id) => productNames.get(id) ?? short(id),
  };
}

/** The names in a language, loaded once (again after a failure). */
export function ledgerNames(english: boolean): Promise<LedgerNames> {
  let names = loading.get(english);
  if (!names) {
    names = loadNames(english).catch((error: unknown) => {
      loading.delete(english);
      throw error;
    });
    loading.set(english, names);
  }
  return names;
}

/** How a relief-income row's key reads for a grouping. */
export function keyName(names: LedgerNames, groupBy: string, key: string): string {
  switch (groupBy) {
    case 'town':
      return names.town(key);
    case 'village':
      return names.villageInTown(key);
    case 'producer':
      return names.producer(key);
    case 'product':
      return names.product(key);
    case 'household':
      return short(key);
    default:
      return key;
  }
}
