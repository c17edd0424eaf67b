import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { beneficiaries, catalog } from '@yugong/contracts';
import {
  createGrpcStub,
  grpcServer,
  markNotServing,
  markServing,
  serviceIdentity,
} from '@yugong/shared/grpc';
import { openMetricsEndpoint } from '@yugong/shared/telemetry';
import { migrate } from '@yugong/shared/orm';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { openListingCache } from './common/listing-cache.store';
import type { CatalogConfig } from './config/catalog.config';
import { seedDemoSales } from './seed/demo-sales.seed';
import { seedDemoCatalog } from './seed/demo.seed';
import { StockRepository } from './stock/stock.repository';
import { BeneficiariesClient } from './suppliers/beneficiaries.client';

const SERVICE_NAMES = [`${catalog.YUGONG_CATALOG_V1_PACKAGE_NAME}.${catalog.CATALOG_SERVICE_NAME}`];

/** A running catalog service. */
export interface RunningCatalog {
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Boots catalog: migrates its database (under an advisory lock), seeds the demo region when asked,
 * serves gRPC with health and reflection, and reports SERVING once ready.
 */
export async function startCatalog(config: CatalogConfig): Promise<RunningCatalog | undefined> {
  const cache = await openListingCache(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  const server = grpcServer({
    service: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceNames: SERVICE_NAMES,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    reflection: config.GRPC_REFLECTION,
    connectionAge: {
      maxMs: config.GRPC_MAX_CONNECTION_AGE_MS,
      graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    },
  });
  // The channel connects on the first call: the register need not be up while catalog boots.
  const registerStub = createGrpcStub<beneficiaries.BeneficiariesServiceClient>({
    url: config.BENEFICIARIES_GRPC_URL,
    service: 'beneficiaries',
    packageName: beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    serviceName: beneficiaries.BENEFICIARIES_SERVICE_NAME,
  });
  const register = new BeneficiariesClient(registerStub, {
    signer: serviceIdentity('catalog', config).signer,
    deadlineMs: config.GRPC_DEADLINE_MS,
    retries: config.GRPC_RETRIES,
  });
  const app = await NestFactory.createMicroservice(AppModule.forRoot(config, cache, register), {
    ...server.options,
    bufferLogs: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (!config.REDIS_URL) {
    logger.warn('REDIS_URL is not set: the listing cache is in-process only (single machine only)');
  }
  const orm = app.get(MikroORM);
  const applied = await migrate(orm, config.DATABASE_URL);
  if (applied.length > 0) {
    logger.log(`applied migrations: ${applied.join(', ')}`);
  }
  if (config.MIGRATE_ONLY) {
    await app.close();
    registerStub.close();
    await cache.close();
    return undefined;
  }
  if (config.SEED_DEMO) {
    const seeded = await seedDemoCatalog(orm.em.fork());
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
  }
  server.strategy.useRequestContext(app.get(MikroORM));
  await app.listen();
  const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
  markServing(server, SERVICE_NAMES);
  logger.log(`catalog serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
  return {
    app,
    close: async () => {
      markNotServing(server, SERVICE_NAMES);
      await app.close();
      await metrics?.close();
      registerStub.close();
      await cache.close();
    },
  };
}
