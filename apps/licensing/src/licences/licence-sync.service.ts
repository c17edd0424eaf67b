import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { CatalogClient } from '../clients/catalog.client';
import { LicenceRepository } from './licence.repository';

/**
 * Tells catalog what each licence covers, so the storefront shows the LOGO only while a licence
 * does. Every move that changes coverage bumps the licence's `version`; a push states the licence's
 * whole coverage as it stands (idempotent), and records the version catalog now knows. A push that
 * fails leaves the licence behind, and the next pass of the expiry job pushes it again.
 */
@Injectable()
export class LicenceSyncService {
  private readonly logger = new Logger(LicenceSyncService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly licences: LicenceRepository,
    private readonly catalog: CatalogClient,
  ) {}

  /** Pushes one licence's coverage; false (logged) when catalog could not be told. */
  async push(id: string): Promise<boolean> {
    const em = this.em.fork();
    const view = await this.licences.findView(em, id);
    if (!view) {
      return false;
    }
    try {
      await this.catalog.setProductLicence({
        licenceId: view.id,
        licenceNumber: view.number ?? '',
        producerId: view.producerId,
        productIds: view.productIds,
        // Catalog checks the period itself at every read: an approved licence is pushed with it.
        covering: view.status === 'approved',
        validFrom: view.validFrom,
        validTo: view.validTo,
      });
    } catch (error) {
      this.logger.warn(`catalog not told of licence ${id} yet: ${(error as Error).message}`);
      return false;
    }
    await this.licences.markSynced(em, id, view.version);
    return true;
  }

  /** Pushes every licence catalog is behind on; returns how many it pushed. */
  async pushPending(batch = 200): Promise<number> {
    let pushed = 0;
    for (const id of await this.licences.unsynced(this.em.fork(), batch)) {
      if (await this.push(id)) {
        pushed++;
      }
    }
    return pushed;
  }
}
