import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { ASSERTION_VERIFIER, GrpcCallerGuard, serviceIdentity } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { migrations } from '../migrations';
import { AgreementRepository } from './agreements/agreement.repository';
import { AgreementsService } from './agreements/agreements.service';
import { BENEFIT_SHARES_CACHE_SETTINGS, BenefitSharesCache } from './agreements/benefit-shares.cache';
import { BENEFICIARIES_ENTITIES } from './beneficiaries.entities';
import { BeneficiariesGrpcController } from './beneficiaries.grpc.controller';
import type { BeneficiariesConfig } from './config/beneficiaries.config';
import { HouseholdRepository } from './households/household.repository';
import { HouseholdsService } from './households/households.service';
import { PayoutAccountRepository } from './payouts/payout-account.repository';
import { PayoutsService } from './payouts/payouts.service';
import { PiiCipher } from './pii/pii-cipher';
import { defaultSealWorkers, PiiSealPool } from './pii/pii-seal-pool';
import { RegionRepository } from './regions/region.repository';
import { RegionsService } from './regions/regions.service';
import { RegisterImportRepository } from './register-import/register-import.repository';
import { RegisterImportService } from './register-import/register-import.service';
import { DemoSeedRepository } from './seed/demo-seed.repository';
import { LedgerClient } from './monitoring/ledger.client';
import { MONITORING_REFRESH_INTERVAL_MS, MonitoringRefreshJob } from './monitoring/monitoring-refresh.job';
import { MonitoringRepository } from './monitoring/monitoring.repository';
import { MONITORING_SETTINGS, MonitoringService } from './monitoring/monitoring.service';

/** The beneficiary register over gRPC, on its own database. */
@Module({})
export class AppModule {
  /**
   * @param logDestination - where log lines go (stdout when unset); tests capture it
   * @param ledger - the ledger's client, made at boot (monitoring reads relief income from it)
   */
  static forRoot(
    config: BeneficiariesConfig,
    logDestination: DestinationStream | undefined,
    ledger: LedgerClient,
  ): DynamicModule {
    const logger = serviceLoggerParams('beneficiaries', config.LOG_LEVEL);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(
          logDestination
            ? { ...logger, pinoHttp: [logger.pinoHttp as object, logDestination] as never }
            : logger,
        ),
        MikroOrmModule.forRoot(
          ormOptions({
            url: config.DATABASE_URL,
            entities: BENEFICIARIES_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
        ),
        MikroOrmModule.forFeature(BENEFICIARIES_ENTITIES),
      ],
      controllers: [BeneficiariesGrpcController],
      providers: [
        RegionRepository,
        RegionsService,
        HouseholdRepository,
        HouseholdsService,
        AgreementRepository,
        AgreementsService,
        BenefitSharesCache,
        { provide: BENEFIT_SHARES_CACHE_SETTINGS, useValue: { databaseUrl: config.DATABASE_URL } },
        RegisterImportRepository,
        RegisterImportService,
        DemoSeedRepository,
        MonitoringRepository,
        MonitoringService,
        MonitoringRefreshJob,
        PayoutAccountRepository,
        PayoutsService,
        { provide: MONITORING_REFRESH_INTERVAL_MS, useValue: config.MONITORING_REFRESH_INTERVAL_MS },
        { provide: LedgerClient, useValue: ledger },
        {
          provide: MONITORING_SETTINGS,
          useValue: {
            povertyLineFen: config.MONITORING_POVERTY_LINE_FEN,
            dropThresholdBps: config.MONITORING_DROP_THRESHOLD_BPS,
            windowMonths: config.MONITORING_WINDOW_MONTHS,
            asOf: config.MONITORING_AS_OF ? new Date(config.MONITORING_AS_OF) : undefined,
          },
        },
        {
          provide: PiiCipher,
          useValue: new PiiCipher({
            encryptionKeys: config.PII_ENCRYPTION_KEYS,
            activeKeyId: config.PII_ACTIVE_KEY_ID,
            hashKey: config.PII_HASH_KEY,
          }),
        },
        // Register imports seal personal data in worker threads, started on the first import.
        {
          provide: PiiSealPool,
          useFactory: (cipher: PiiCipher) =>
            new PiiSealPool(cipher, config.IMPORT_SEAL_WORKERS ?? defaultSealWorkers()),
          inject: [PiiCipher],
        },
        { provide: ASSERTION_VERIFIER, useValue: serviceIdentity('beneficiaries', config).verifier },
        { provide: APP_GUARD, useClass: GrpcCallerGuard },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}
