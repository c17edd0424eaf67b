import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ReadCache } from '@yugong/shared/cache';
import { GrpcExceptionFilter } from '@yugong/shared/errors';
import { ASSERTION_VERIFIER, GrpcCallerGuard, serviceIdentity } from '@yugong/shared/grpc';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { CATALOG_ENTITIES } from './catalog.entities';
import { CatalogGrpcController } from './catalog.grpc.controller';
import { ListingCache } from './common/listing-cache.store';
import type { CatalogConfig } from './config/catalog.config';
import { CertificateExpiryJob, CERTIFICATE_EXPIRY_INTERVAL_MS } from './certification/certificate-expiry.job';
import { CertificateRepository } from './certification/certificate.repository';
import { ProductLicenceRepository } from './licences/product-licence.repository';
import { ProductLicenceService } from './licences/product-licence.service';
import { CertificationService } from './certification/certification.service';
import { ProducerPayoutAccountRepository } from './payouts/producer-payout-account.repository';
import { ProducerPayoutsService } from './payouts/producer-payouts.service';
import { HouseholdShareRepository } from './producers/household-share.repository';
import { ProducerStatusHistoryRepository } from './producers/producer-status-history.repository';
import { ProducersService } from './producers/producers.service';
import { ProductsService } from './products/products.service';
import { LISTING_REFRESH_MS, ListingRefresh } from './stock/listing-refresh.service';
import { StockSweeperJob, SWEEPER_SETTINGS } from './stock/stock-sweeper.job';
import { StockHoldPlanner } from './stock/stock-hold-planner';
import { StockHoldWriter } from './stock/stock-hold-writer';
import { StockRepository } from './stock/stock.repository';
import { StockService } from './stock/stock.service';
import { BeneficiariesClient } from './suppliers/beneficiaries.client';

/** The catalog service: producers, products and lots over gRPC, on its own database. */
@Module({})
export class AppModule {
  static forRoot(config: CatalogConfig, cache: ReadCache, register: BeneficiariesClient): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(serviceLoggerParams('catalog', config.LOG_LEVEL)),
        MikroOrmModule.forRoot(
          ormOptions({
            url: config.DATABASE_URL,
            entities: CATALOG_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
        ),
        MikroOrmModule.forFeature(CATALOG_ENTITIES),
      ],
      controllers: [CatalogGrpcController],
      providers: [
        ProducersService,
        ProducerPayoutsService,
        ProducerPayoutAccountRepository,
        HouseholdShareRepository,
        ProducerStatusHistoryRepository,
        CertificateRepository,
        CertificationService,
        ProductLicenceRepository,
        ProductLicenceService,
        CertificateExpiryJob,
        { provide: CERTIFICATE_EXPIRY_INTERVAL_MS, useValue: config.CERTIFICATE_EXPIRY_INTERVAL_MS },
        ProductsService,
        StockRepository,
        StockHoldPlanner,
        StockHoldWriter,
        StockService,
        StockSweeperJob,
        ListingRefresh,
        { provide: LISTING_REFRESH_MS, useValue: config.LISTING_STOCK_REFRESH_MS },
        {
          provide: SWEEPER_SETTINGS,
          useValue: { intervalMs: config.HOLD_SWEEP_INTERVAL_MS, graceMs: config.HOLD_RELEASE_GRACE_MS },
        },
        { provide: ListingCache, useValue: cache },
        { provide: BeneficiariesClient, useValue: register },
        { provide: ASSERTION_VERIFIER, useValue: serviceIdentity('catalog', config).verifier },
        { provide: APP_GUARD, useClass: GrpcCallerGuard },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
      ],
    };
  }
}
