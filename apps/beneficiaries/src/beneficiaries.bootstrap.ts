import { MikroORM } from '@mikro-orm/postgresql';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { beneficiaries, ledger } from '@yugong/contracts';
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
import type { DestinationStream } from 'pino';
import { useFastBenefitSharesEncoder } from './agreements/benefit-shares.codec';
import { AppModule } from './app.module';
import { LedgerClient } from './monitoring/ledger.client';
import type { BeneficiariesConfig } from './config/beneficiaries.config';
import { PiiCipher } from './pii/pii-cipher';
import { DemoSeedRepository } from './seed/demo-seed.repository';
import { seedDemoRegister } from './seed/demo.seed';

const SERVICE_NAMES = [
  `${beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`,
];

/** A running beneficiaries service. */
export interface RunningBeneficiaries {
  app: INestMicroservice;
  close(): Promise<void>;
}

/**
 * Boots beneficiaries: migrates its database (under an advisory lock), seeds the demo register
 * when asked, serves gRPC with health and reflection, and reports SERVING once ready.
 */
export async function startBeneficiaries(
  config: BeneficiariesConfig,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningBeneficiaries | undefined> {
  const server = grpcServer({
    service: 'beneficiaries',
    packageName: beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    serviceNames: SERVICE_NAMES,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    reflection: config.GRPC_REFLECTION,
    connectionAge: {
      maxMs: config.GRPC_MAX_CONNECTION_AGE_MS,
      graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    },
    // GetBenefitShares answers go out through the fast encoder (see benefit-shares.codec.ts).
    onLoadPackageDefinition: useFastBenefitSharesEncoder,
  });
  // Connects on its first call: the ledger need not be up for the register to serve.
  const ledgerStub = createGrpcStub<ledger.LedgerServiceClient>({
    url: config.LEDGER_GRPC_URL,
    service: 'ledger',
    packageName: ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    serviceName: ledger.LEDGER_SERVICE_NAME,
  });
  const ledgerClient = new LedgerClient(ledgerStub, {
    signer: serviceIdentity('beneficiaries', config).signer,
    deadlineMs: config.GRPC_DEADLINE_MS,
    retries: config.GRPC_RETRIES,
  });
  const app = await NestFactory.createMicroservice(
    AppModule.forRoot(config, options.logDestination, ledgerClient),
    { ...server.options, bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  const orm = app.get(MikroORM);
  const applied = await migrate(orm, config.DATABASE_URL);
  if (applied.length > 0) {
    logger.log(`applied migrations: ${applied.join(', ')}`);
  }
  if (config.MIGRATE_ONLY) {
    await app.close();
    ledgerStub.close();
    return undefined;
  }
  if (config.SEED_DEMO) {
    const seeded = await seedDemoRegister(app.get(DemoSeedRepository), app.get(PiiCipher));
    logger.log(
      `demo register: ${seeded.households} households, ${seeded.agreements} agreements (${seeded.created} rows new) in ${seeded.ms} ms`,
    );
  }
  server.strategy.useRequestContext(app.get(MikroORM));
  await app.listen();
  const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
  markServing(server, SERVICE_NAMES);
  logger.log(`beneficiaries serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
  return {
    app,
    close: async () => {
      markNotServing(server, SERVICE_NAMES);
      await app.close();
      await metrics?.close();
      ledgerStub.close();
    },
  };
}
