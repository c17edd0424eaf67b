import { api, ok } from '../api/client';
import type { Agreement, CursorPage, Household, Page } from '../api/views';

const PAGE = 100;
const MAX_PAGES = 20;

/**
 * The households a producer may name as a lot's suppliers: its linked households (masked) that
 * hold a `supply` agreement with it. The gateway checks the agreement again on the produced date.
 */
export async function supplierHouseholds(producerId: string): Promise<Household[]> {
  const supplying = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const agreements = await ok<Page<Agreement>>(
      api.GET('/api/v1/agreements', { params: { query: { producerId, page, pageSize: PAGE } } }),
    );
    for (const agreement of agreements.items) {
      if (agreement.kind === 'supply') {
        supplying.add(agreement.householdId);
      }
    }
    if (page * PAGE >= agreements.total) {
      break;
    }
  }
  const households: Household[] = [];
  let cursor: string | undefined;
  for (let round = 0; round < MAX_PAGES; round += 1) {
    const batch = await ok<CursorPage<Household>>(
      api.GET('/api/v1/households', { params: { query: { producerId, pageSize: PAGE, cursor } } }),
    );
    households.push(...batch.items.filter((h) => supplying.has(h.id)));
    if (!batch.nextCursor) {
      break;
    }
    cursor = batch.nextCursor;
  }
  return households;
}
