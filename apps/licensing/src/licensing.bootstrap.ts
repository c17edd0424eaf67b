import { licensing, GRPC_SERVICES } from '@yugong/contracts';
import { connectRedis } from '@yugong/shared/cache';
import {
  createGrpcStub,
  clientSettings,
  startGrpcService,
  type RunningGrpcService,
} from '@yugong/shared/grpc';
import { AppModule } from './app.module';
import { CatalogClient } from './clients/catalog.client';
import { LedgerClient } from './clients/ledger.client';
import type { LicensingConfig } from './config/licensing.config';

/** A running licensing service. */
export type RunningLicensing = RunningGrpcService;

/**
 * Boots licensing: migrates its database (under an advisory lock), serves LicensingService on its
 * gRPC port with health (and reflection when asked), starts the expiry and posting jobs. Catalog
 * and the ledger need not be up: their channels connect on the first call, and the jobs tell them
 * what they missed.
 */
export async function startLicensing(config: LicensingConfig): Promise<RunningLicensing | undefined> {
  const settings = clientSettings('licensing', config);
  const catalogClient = new CatalogClient(
    createGrpcStub(GRPC_SERVICES.catalog, config.CATALOG_GRPC_URL),
    settings,
  );
  const ledgerClient = new LedgerClient(
    createGrpcStub(GRPC_SERVICES.ledger, config.LEDGER_GRPC_URL),
    settings,
  );
  // Absent: the counterfeit counters live in this process (one machine only).
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, 'licensing', config.REDIS_KEY_PREFIX)
    : undefined;
  return startGrpcService({
    name: 'licensing',
    service: 'licensing',
    packageName: licensing.YUGONG_LICENSING_V1_PACKAGE_NAME,
    serviceNames: [`${licensing.YUGONG_LICENSING_V1_PACKAGE_NAME}.${licensing.LICENSING_SERVICE_NAME}`],
    config,
    module: AppModule.forRoot(config, { catalog: catalogClient, ledger: ledgerClient, redis }),
    release: async () => {
      catalogClient.close();
      ledgerClient.close();
      await redis?.quit().catch(() => undefined);
    },
  });
}
