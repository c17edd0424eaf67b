import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { catalog, GRPC_SERVICES } from '@yugong/contracts';
import {
  createGrpcStub,
  clientSettings,
  startGrpcService,
  type RunningGrpcService,
} from '@yugong/shared/grpc';
import { AppModule } from './app.module';
import { openListingCache } from './common/listing-cache.store';
import type { CatalogConfig } from './config/catalog.config';
import { seedDemoSales } from './seed/demo-sales.seed';
import { seedDemoCatalog } from './seed/demo.seed';
import { StockRepository } from './stock/stock.repository';
import { BeneficiariesClient } from './suppliers/beneficiaries.client';

/** A running catalog service. */
export type RunningCatalog = RunningGrpcService;

/**
 * Boots catalog: migrates its database (under an advisory lock), seeds the demo region when asked,
 * serves gRPC with health and reflection, and reports SERVING once ready.
 */
export async function startCatalog(config: CatalogConfig): Promise<RunningCatalog | undefined> {
  const cache = await openListingCache(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  // The channel connects on the first call: the register need not be up while catalog boots.
  const register = new BeneficiariesClient(
    createGrpcStub(GRPC_SERVICES.beneficiaries, config.BENEFICIARIES_GRPC_URL),
    clientSettings('catalog', config),
  );
  return startGrpcService({
    name: 'catalog',
    service: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceNames: [`${catalog.YUGONG_CATALOG_V1_PACKAGE_NAME}.${catalog.CATALOG_SERVICE_NAME}`],
    config,
    module: AppModule.forRoot(config, cache, register),
    release: async () => {
      register.close();
      await cache.close();
    },
    warnings: config.REDIS_URL
      ? []
      : ['REDIS_URL is not set: the listing cache is in-process only (single machine only)'],
    prepare: async (app, logger) => {
      if (!config.SEED_DEMO) {
        return;
      }
      const seeded = await seedDemoCatalog(app.get(MikroORM).em.fork());
      const sales = await seedDemoSales(app.get(EntityManager).fork(), app.get(StockRepository));
      if (seeded.created > 0 || sales.created > 0) {
        await cache.invalidate();
      }
      logger.log(
        `demo catalogue: ${seeded.producers} producers, ${seeded.products} products (${seeded.created} rows new); ` +
          `sales of 2020: ${sales.orders} orders (${sales.created} holds new)`,
      );
      if (sales.skipped) {
        logger.warn(`demo sales of 2020 not recorded in catalog: ${sales.skipped}`);
      }
    },
  });
}
