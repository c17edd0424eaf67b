import { catalog } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** Catalog as the ledger calls it: as a service, no user, reads only. */
export class CatalogClient extends ServiceClient<catalog.CatalogServiceClient> {
  /** Lots by id with their suppliers; unknown ids are left out. */
  async getLots(ids: string[]): Promise<catalog.Lot[]> {
    const unique = [...new Set(ids)];
    const lots: catalog.Lot[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      const res = await this.call('getLots', { ids: unique.slice(i, i + 100) }, { idempotent: true });
      lots.push(...res.lots);
    }
    return lots;
  }

  /** Those of the producers that have a payout account (ids only). */
  async payoutReady(producerIds: string[]): Promise<string[]> {
    if (producerIds.length === 0) {
      return [];
    }
    const res = await this.call('listProducerPayoutReadiness', { producerIds }, { idempotent: true });
    return res.readyProducerIds;
  }
}
