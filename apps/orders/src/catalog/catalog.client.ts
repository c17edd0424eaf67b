import type { CallerIdentity } from '@yugong/shared/auth';
import { catalog } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/**
 * Catalog as orders calls it. Every stock call is idempotent per order id on catalog's side, so
 * all of them may be retried within the deadline.
 */
export class CatalogClient extends ServiceClient<catalog.CatalogServiceClient> {
  async getProducts(ids: string[]): Promise<catalog.Product[]> {
    if (ids.length === 0) {
      return [];
    }
    const res = await this.call('getProducts', { ids, includeUnlisted: false }, { idempotent: true });
    return res.products;
  }

  holdStock(
    caller: CallerIdentity,
    orderId: string,
    lines: { productId: string; quantity: number }[],
    expiresAt: Date,
  ): Promise<catalog.HoldStockResponse> {
    return this.call(
      'holdStock',
      { orderId, lines, expiresAt: toTimestamp(expiresAt) },
      { caller, idempotent: true },
    );
  }

  async releaseStock(orderId: string): Promise<number> {
    const res = await this.call('releaseStock', { orderId }, { idempotent: true });
    return res.releasedUnits;
  }

  commitStock(orderId: string): Promise<catalog.CommitStockResponse> {
    return this.call('commitStock', { orderId }, { idempotent: true });
  }
}
