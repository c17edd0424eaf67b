import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { ListingCache } from '../common/listing-cache.store';
import { ProductLicenceRepository } from './product-licence.repository';
import { setProductLicenceSchema, type SetProductLicenceInput } from './product-licence.schemas';

/**
 * Catalog's copy of what LOGO licences cover, as the licensing service tells it. Every call states
 * one licence's whole coverage (idempotent), and invalidates the cached listings, so a suspended,
 * revoked or expired licence's LOGO is gone from the storefront at once.
 */
@Injectable()
export class ProductLicenceService {
  constructor(
    private readonly em: EntityManager,
    private readonly licences: ProductLicenceRepository,
    private readonly cache: ListingCache,
  ) {}

  /** Returns how many products the licence now covers here (only products of its producer). */
  async set(input: Loose<SetProductLicenceInput>): Promise<number> {
    const req = parseRequest(setProductLicenceSchema, input);
    const covered = await this.em.fork().transactional((tx) =>
      this.licences.replace(
        tx,
        {
          id: req.licenceId,
          number: req.licenceNumber,
          producerId: req.producerId,
          validFrom: req.validFrom ?? new Date(0),
          validTo: req.validTo ?? new Date(0),
        },
        req.covering ? req.productIds : null,
      ),
    );
    await this.cache.invalidate();
    return covered;
  }
}
