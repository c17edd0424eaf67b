import { orders, GRPC_SERVICES } from '@yugong/contracts';
import { CacheNamespace, ChangeVersion, connectRedis } from '@yugong/shared/cache';
import {
  createGrpcStub,
  clientSettings,
  startGrpcService,
  type RunningGrpcService,
} from '@yugong/shared/grpc';
import { AppModule } from './app.module';
import { CatalogClient } from './catalog/catalog.client';
import { LicensingClient } from './licensing/licensing.client';
import type { OrdersConfig } from './config/orders.config';
import { DemoSalesSeed } from './seed/demo-sales.seed';

/** A running orders service. */
export type RunningOrders = RunningGrpcService;

/**
 * Boots orders: migrates its database (under an advisory lock), seeds the demo sales of 2020 when
 * asked, serves gRPC with health and reflection, and reports SERVING once ready. Catalog need not
 * be up: its channel connects on the first call.
 */
export async function startOrders(config: OrdersConfig): Promise<RunningOrders | undefined> {
  const settings = clientSettings('orders', config);
  // Absent: carts and checkout locks live in this process (one machine only).
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, 'orders', config.REDIS_KEY_PREFIX)
    : undefined;
  const catalogClient = new CatalogClient(
    createGrpcStub(GRPC_SERVICES.catalog, config.CATALOG_GRPC_URL),
    settings,
  );
  // Absent: no licensing in this deployment, so no line is licensed. Terms are kept only where
  // the shared terms version can be read, and only while licensing says they may be.
  const licensingClient = config.LICENSING_GRPC_URL
    ? new LicensingClient(
        createGrpcStub(GRPC_SERVICES.licensing, config.LICENSING_GRPC_URL),
        settings,
        redis && config.LICENCE_TERMS_KEEP_MS > 0
          ? {
              version: new ChangeVersion(redis, CacheNamespace.licenceTerms),
              maxAgeMs: config.LICENCE_TERMS_KEEP_MS,
            }
          : undefined,
      )
    : null;
  return startGrpcService({
    name: 'orders',
    service: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceNames: [`${orders.YUGONG_ORDERS_V1_PACKAGE_NAME}.${orders.ORDERS_SERVICE_NAME}`],
    config,
    module: AppModule.forRoot(config, redis, catalogClient, licensingClient),
    release: async () => {
      catalogClient.close();
      licensingClient?.close();
      await redis?.quit().catch(() => undefined);
    },
    warnings: redis
      ? []
      : ['REDIS_URL is not set: carts and checkout locks are in-process only (single machine only)'],
    prepare: async (app, logger) => {
      if (!config.SEED_DEMO) {
        return;
      }
      const started = Date.now();
      const seeded = await app.get(DemoSalesSeed).run();
      logger.log(
        `demo sales of 2020: ${seeded.orders} orders (${seeded.created} new, ${seeded.events} events) in ${Date.now() - started} ms`,
      );
    },
  });
}
