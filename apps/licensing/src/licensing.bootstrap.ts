import { MikroORM } from '@mikro-orm/postgresql';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { catalog, ledger, licensing } from '@yugong/contracts';
import {
  createGrpcStub,
  grpcServer,
  markNotServing,
  markServing,
  serviceIdentity,
} from '@yugong/shared/grpc';
import { connectRedis } from '@yugong/shared/cache';
import { openMetricsEndpoint } from '@yugong/shared/telemetry';
import { migrate } from '@yugong/shared/orm';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CatalogClient } from './clients/catalog.client';
import { LedgerClient } from './clients/ledger.client';
import type { LicensingConfig } from './config/licensing.config';

const SERVICE_NAMES = [`${licensing.YUGONG_LICENSING_V1_PACKAGE_NAME}.${licensing.LICENSING_SERVICE_NAME}`];

/** A running licensing service. */
export interface RunningLicensing {
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Boots licensing: migrates its database (under an advisory lock), serves LicensingService on its
 * gRPC port with health (and reflection when asked), starts the expiry and posting jobs. Catalog
 * and the ledger need not be up: their channels connect on the first call, and the jobs tell them
 * what they missed.
 */
export async function startLicensing(config: LicensingConfig): Promise<RunningLicensing | undefined> {
  const server = grpcServer({
    service: 'licensing',
    packageName: licensing.YUGONG_LICENSING_V1_PACKAGE_NAME,
    serviceNames: SERVICE_NAMES,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    reflection: config.GRPC_REFLECTION,
    connectionAge: {
      maxMs: config.GRPC_MAX_CONNECTION_AGE_MS,
      graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    },
  });
  const settings = {
    signer: serviceIdentity('licensing', config).signer,
    deadlineMs: config.GRPC_DEADLINE_MS,
    retries: config.GRPC_RETRIES,
  };
  const catalogStub = createGrpcStub<catalog.CatalogServiceClient>({
    url: config.CATALOG_GRPC_URL,
    service: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceName: catalog.CATALOG_SERVICE_NAME,
  });
  const ledgerStub = createGrpcStub<ledger.LedgerServiceClient>({
    url: config.LEDGER_GRPC_URL,
    service: 'ledger',
    packageName: ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    serviceName: ledger.LEDGER_SERVICE_NAME,
  });
  // Absent: the counterfeit counters live in this process (one machine only).
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, 'licensing', config.REDIS_KEY_PREFIX)
    : undefined;
  const app = await NestFactory.createMicroservice(
    AppModule.forRoot(config, {
      catalog: new CatalogClient(catalogStub, settings),
      ledger: new LedgerClient(ledgerStub, settings),
      redis,
    }),
    { ...server.options, bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  const applied = await migrate(app.get(MikroORM), config.DATABASE_URL);
  if (applied.length > 0) {
    logger.log(`applied migrations: ${applied.join(', ')}`);
  }
  if (config.MIGRATE_ONLY) {
    await app.close();
    catalogStub.close();
    ledgerStub.close();
    await redis?.quit().catch(() => undefined);
    return undefined;
  }
  server.strategy.useRequestContext(app.get(MikroORM));
  await app.listen();
  const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
  markServing(server, SERVICE_NAMES);
  logger.log(`licensing serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
  return {
    app,
    close: async () => {
      markNotServing(server, SERVICE_NAMES);
      await app.close();
      await metrics?.close();
      catalogStub.close();
      ledgerStub.close();
      await redis?.quit().catch(() => undefined);
    },
  };
}
