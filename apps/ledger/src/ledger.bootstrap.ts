import { MikroORM } from '@mikro-orm/postgresql';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { beneficiaries, catalog, ledger, orders } from '@yugong/contracts';
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
import { BeneficiariesClient } from './clients/beneficiaries.client';
import { CatalogClient } from './clients/catalog.client';
import { OrdersClient } from './clients/orders.client';
import type { LedgerConfig } from './config/ledger.config';

const SERVICE_NAMES = [
  `${ledger.YUGONG_LEDGER_V1_PACKAGE_NAME}.${ledger.LEDGER_SERVICE_NAME}`,
  `${ledger.YUGONG_LEDGER_V1_PACKAGE_NAME}.${ledger.RELIEF_OFFICE_SERVICE_NAME}`,
  `${orders.YUGONG_ORDERS_V1_PACKAGE_NAME}.${orders.ORDER_EVENTS_CONSUMER_SERVICE_NAME}`,
];

/** A running ledger service. */
export interface RunningLedger {
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Boots the ledger: migrates its database (under an advisory lock), serves LedgerService and
 * orders' OrderEventsConsumerService on one gRPC port with health (and reflection when asked), starts the
 * sequencer and the catch-up with orders. The services it calls need not be up: their channels
 * connect on the first call, and the catch-up tries again every interval.
 */
export async function startLedger(config: LedgerConfig): Promise<RunningLedger | undefined> {
  const server = grpcServer({
    service: ['ledger', 'orders'],
    packageName: [ledger.YUGONG_LEDGER_V1_PACKAGE_NAME, orders.YUGONG_ORDERS_V1_PACKAGE_NAME],
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
    signer: serviceIdentity('ledger', config).signer,
    deadlineMs: config.GRPC_DEADLINE_MS,
    retries: config.GRPC_RETRIES,
  };
  const ordersStub = createGrpcStub<orders.OrdersServiceClient>({
    url: config.ORDERS_GRPC_URL,
    service: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceName: orders.ORDERS_SERVICE_NAME,
  });
  const catalogStub = createGrpcStub<catalog.CatalogServiceClient>({
    url: config.CATALOG_GRPC_URL,
    service: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceName: catalog.CATALOG_SERVICE_NAME,
  });
  const beneficiariesStub = createGrpcStub<beneficiaries.BeneficiariesServiceClient>({
    url: config.BENEFICIARIES_GRPC_URL,
    service: 'beneficiaries',
    packageName: beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    serviceName: beneficiaries.BENEFICIARIES_SERVICE_NAME,
  });
  const closeStubs = () => {
    ordersStub.close();
    catalogStub.close();
    beneficiariesStub.close();
  };
  const app = await NestFactory.createMicroservice(
    AppModule.forRoot(config, {
      orders: new OrdersClient(ordersStub, settings),
      catalog: new CatalogClient(catalogStub, settings),
      beneficiaries: new BeneficiariesClient(beneficiariesStub, settings),
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
    closeStubs();
    return undefined;
  }
  server.strategy.useRequestContext(app.get(MikroORM));
  await app.listen();
  const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
  markServing(server, SERVICE_NAMES);
  logger.log(`ledger serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
  return {
    app,
    close: async () => {
      markNotServing(server, SERVICE_NAMES);
      await app.close();
      await metrics?.close();
      closeStubs();
    },
  };
}
