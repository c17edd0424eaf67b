import { catalog } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/** What a licence covers, as catalog is told it. */
export interface Coverage {
  licenceId: string;
  licenceNumber: string;
  producerId: string;
  productIds: string[];
  covering: boolean;
  validFrom: Date | null;
  validTo: Date | null;
}

/** Catalog as licensing calls it: as a service, no user. Every call is safe to repeat. */
export class CatalogClient extends ServiceClient<catalog.CatalogServiceClient> {
  /** Products by id whatever their state (so a refusal can say why); unknown ids are left out. */
  async getProducts(ids: string[]): Promise<catalog.Product[]> {
    const res = await this.call('getProducts', { ids, includeUnlisted: true }, { idempotent: true });
    return res.products;
  }

  /** Lots by id (unknown ids left out): which product each is a lot of. */
  async getLots(ids: string[]): Promise<catalog.Lot[]> {
    const res = await this.call('getLots', { ids }, { idempotent: true });
    return res.lots;
  }

  /** Tells catalog which products the licence covers now (or that it covers none). */
  async setProductLicence(coverage: Coverage): Promise<number> {
    const res = await this.call(
      'setProductLicence',
      {
        licenceId: coverage.licenceId,
        licenceNumber: coverage.licenceNumber,
        producerId: coverage.producerId,
        productIds: coverage.productIds,
        covering: coverage.covering,
        validFrom: coverage.validFrom ? toTimestamp(coverage.validFrom) : undefined,
        validTo: coverage.validTo ? toTimestamp(coverage.validTo) : undefined,
      },
      { idempotent: true },
    );
    return res.covered;
  }
}
