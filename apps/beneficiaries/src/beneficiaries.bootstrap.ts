import { beneficiaries, GRPC_SERVICES } from '@yugong/contracts';
import {
  createGrpcStub,
  clientSettings,
  startGrpcService,
  type RunningGrpcService,
} from '@yugong/shared/grpc';
import type { DestinationStream } from 'pino';
import { useFastBenefitSharesEncoder } from './agreements/benefit-shares.codec';
import { AppModule } from './app.module';
import { LedgerClient } from './monitoring/ledger.client';
import type { BeneficiariesConfig } from './config/beneficiaries.config';
import { PiiCipher } from './pii/pii-cipher';
import { DemoSeedRepository } from './seed/demo-seed.repository';
import { seedDemoRegister } from './seed/demo.seed';

/** A running beneficiaries service. */
export type RunningBeneficiaries = RunningGrpcService;

/**
 * Boots beneficiaries: migrates its database (under an advisory lock), seeds the demo register
 * when asked, serves gRPC with health and reflection, and reports SERVING once ready.
 */
export async function startBeneficiaries(
  config: BeneficiariesConfig,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningBeneficiaries | undefined> {
  // Connects on its first call: the ledger need not be up for the register to serve.
  const ledgerClient = new LedgerClient(
    createGrpcStub(GRPC_SERVICES.ledger, config.LEDGER_GRPC_URL),
    clientSettings('beneficiaries', config),
  );
  return startGrpcService({
    name: 'beneficiaries',
    service: 'beneficiaries',
    packageName: beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    serviceNames: [
      `${beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`,
    ],
    config,
    module: AppModule.forRoot(config, options.logDestination, ledgerClient),
    release: () => ledgerClient.close(),
    // GetBenefitShares answers go out through the fast encoder (see benefit-shares.codec.ts).
    onLoadPackageDefinition: useFastBenefitSharesEncoder,
    prepare: async (app, logger) => {
      if (!config.SEED_DEMO) {
        return;
      }
      const seeded = await seedDemoRegister(app.get(DemoSeedRepository), app.get(PiiCipher));
      logger.log(
        `demo register: ${seeded.households} households, ${seeded.agreements} agreements (${seeded.created} rows new) in ${seeded.ms} ms`,
      );
    },
  });
}
