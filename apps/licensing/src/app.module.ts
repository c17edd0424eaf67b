import { createHmac } from 'node:crypto';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CacheNamespace, ChangeVersion } from '@yugong/shared/cache';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { ASSERTION_VERIFIER, GrpcCallerGuard, serviceIdentity } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { CatalogClient } from './clients/catalog.client';
import { LedgerClient } from './clients/ledger.client';
import type { LicensingConfig } from './config/licensing.config';
import { DeclarationPostingJob } from './declarations/declaration-posting.job';
import { DeclarationRepository } from './declarations/declaration.repository';
import { DECLARATION_GRACE_DAYS, DeclarationsService } from './declarations/declarations.service';
import { LabelCodec } from '@yugong/shared/labels';
import { LabelRepository } from './labels/label.repository';
import { LABEL_SCAN_FLUSH_MS, LabelScanFlushJob } from './labels/label-scan-flush.job';
import { LabelScansStore } from './labels/label-scans.store';
import { LabelSignalsStore, labelSignalsStore } from './labels/label-signals.store';
import { LABEL_SETTINGS, LabelsService, PLACE_KEY } from './labels/labels.service';
import { LICENCE_EXPIRY_INTERVAL_MS, LicenceExpiryJob } from './licences/licence-expiry.job';
import { LicenceRepository } from './licences/licence.repository';
import { LicenceSyncService } from './licences/licence-sync.service';
import { LicenceTermsVersion } from './licences/licence-terms-version';
import { LicencesService } from './licences/licences.service';
import { LICENSING_ENTITIES } from './licensing.entities';
import { LicensingGrpcController } from './licensing.grpc.controller';

/** The clients of the services licensing calls, made at boot. */
export interface LicensingClients {
  catalog: CatalogClient;
  ledger: LedgerClient;
  /**
   * Where the counterfeit counters are shared and the licence terms version is moved; absent: the
   * counters are in this process (one machine only) and orders keeps no terms.
   */
  redis?: Redis;
}

/** The licensing service: LOGO licences, their review and expiry, what they cover; their labels. */
@Module({})
export class AppModule {
  static forRoot(config: LicensingConfig, clients: LicensingClients): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(serviceLoggerParams('licensing', config.LOG_LEVEL)),
        MikroOrmModule.forRoot(
          ormOptions({
            url: config.DATABASE_URL,
            entities: LICENSING_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
        ),
      ],
      controllers: [LicensingGrpcController],
      providers: [
        LicenceRepository,
        LicencesService,
        LicenceSyncService,
        LicenceExpiryJob,
        LabelRepository,
        LabelsService,
        { provide: LabelCodec, useValue: new LabelCodec(config.LABEL_TAG_KEY) },
        { provide: LabelScansStore, useValue: new LabelScansStore() },
        {
          provide: LicenceTermsVersion,
          useValue: new LicenceTermsVersion(
            clients.redis && new ChangeVersion(clients.redis, CacheNamespace.licenceTerms),
          ),
        },
        { provide: LabelSignalsStore, useValue: labelSignalsStore(clients.redis) },
        LabelScanFlushJob,
        { provide: LABEL_SCAN_FLUSH_MS, useValue: config.LABEL_SCAN_FLUSH_MS },
        {
          provide: PLACE_KEY,
          useValue: createHmac('sha256', config.LABEL_TAG_KEY).update('label scan places').digest(),
        },
        {
          provide: LABEL_SETTINGS,
          useValue: {
            publicWebUrl: config.PUBLIC_WEB_URL,
            fontFile: config.LABEL_FONT_FILE,
            overScanThreshold: config.LABEL_OVER_SCAN_THRESHOLD,
            overPlaceThreshold: config.LABEL_OVER_PLACE_THRESHOLD,
          },
        },
        { provide: LICENCE_EXPIRY_INTERVAL_MS, useValue: config.LICENCE_EXPIRY_INTERVAL_MS },
        DeclarationRepository,
        DeclarationsService,
        DeclarationPostingJob,
        { provide: DECLARATION_GRACE_DAYS, useValue: config.DECLARATION_GRACE_DAYS },
        { provide: CatalogClient, useValue: clients.catalog },
        { provide: LedgerClient, useValue: clients.ledger },
        { provide: ASSERTION_VERIFIER, useValue: serviceIdentity('licensing', config).verifier },
        { provide: APP_GUARD, useClass: GrpcCallerGuard },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}
