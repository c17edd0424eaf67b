import { MikroORM } from '@mikro-orm/postgresql';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { catalog, licensing, orders } from '@yugong/contracts';
import { connectRedis } from '@yugong/shared/cache';
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
import { CatalogClient } from './catalog/catalog.client';
import { LicensingClient } from './licensing/licensing.client';
import type { OrdersConfig } from './config/orders.config';
import { DemoSalesSeed } from './seed/demo-sales.seed';

const SERVICE_NAMES = [`${orders.YUGONG_ORDERS_V1_PACKAGE_NAME}.${orders.ORDERS_SERVICE_NAME}`];

/** A running orders service. */
export interface RunningOrders {
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Boots orders: migrates its database (under an advisory lock), seeds the demo sales of 2020 when
 * asked, serves gRPC with health and reflection, and reports SERVING once ready. Catalog need not
 * be up: its channel connects on the first call.
 */
export async function startOrders(config: OrdersConfig): Promise<RunningOrders | undefined> {
  const server = grpcServer({
    service: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceNames: SERVICE_NAMES,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    reflection: config.GRPC_REFLECTION,
    connectionAge: {
      maxMs: config.GRPC_MAX_CONNECTION_AGE_MS,
      graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    },
  });
  // Absent: carts and checkout locks live in this process (one machine only).
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, 'orders', config.REDIS_KEY_PREFIX)
    : undefined;
  const catalogStub = createGrpcStub<catalog.CatalogServiceClient>({
    url: config.CATALOG_GRPC_URL,
    service: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceName: catalog.CATALOG_SERVICE_NAME,
  });
  const catalogClient = new CatalogClient(catalogStub, {
    signer: serviceIdentity('orders', config).signer,
    deadlineMs: config.GRPC_DEADLINE_MS,
    retries: config.GRPC_RETRIES,
  });
  const licensingStub = config.LICENSING_GRPC_URL
    ? createGrpcStub<licensing.LicensingServiceClient>({
        url: config.LICENSING_GRPC_URL,
        service: 'licensing',
        packageName: licensing.YUGONG_LICENSING_V1_PACKAGE_NAME,
        serviceName: licensing.LICENSING_SERVICE_NAME,
      })
    : undefined;
  const licensingClient = licensingStub
    ? new LicensingClient(licensingStub, {
        signer: serviceIdentity('orders', config).signer,
        deadlineMs: config.GRPC_DEADLINE_MS,
        retries: config.GRPC_RETRIES,
      })
    : null;
  const app = await NestFactory.createMicroservice(
    AppModule.forRoot(config, redis, catalogClient, licensingClient),
    {
      ...server.options,
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (!redis) {
    logger.warn('REDIS_URL is not set: carts and checkout locks are in-process only (single machine only)');
  }
  const shutdown = async () => {
    catalogStub.close();
    licensingStub?.close();
    await redis?.quit().catch(() => undefined);
  };
  const applied = await migrate(app.get(MikroORM), config.DATABASE_URL);
  if (applied.length > 0) {
    logger.log(`applied migrations: ${applied.join(', ')}`);
  }
  if (config.MIGRATE_ONLY) {
    await app.close();
    await shutdown();
    return undefined;
  }
  if (config.SEED_DEMO) {
    const started = Date.now();
    const seeded = await app.get(DemoSalesSeed).run();
    logger.log(
      `demo sales of 2020: ${seeded.orders} orders (${seeded.created} new, ${seeded.events} events) in ${Date.now() - started} ms`,
    );
  }
  server.strategy.useRequestContext(app.get(MikroORM));
  await app.listen();
  const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
  markServing(server, SERVICE_NAMES);
  logger.log(`orders serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
  return {
    app,
    close: async () => {
      markNotServing(server, SERVICE_NAMES);
      await app.close();
      await metrics?.close();
      await shutdown();
    },
  };
}
