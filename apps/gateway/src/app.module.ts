import { MikroOrmModule } from '@mikro-orm/nestjs';
import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { AuthGuard, SessionCheck, TokenService } from '@yugong/shared/auth';
import { ReadCache } from '@yugong/shared/cache';
import { HttpErrorFilter } from '@yugong/shared/errors';
import { LabelCodec } from '@yugong/shared/labels';
import { httpLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import type { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import { migrations } from '../migrations';
import { CatalogClient } from './catalog/catalog.client';
import { CatalogGatewayService } from './catalog/catalog-gateway.service';
import { CertificatesController } from './catalog/certificates.controller';
import { ProducersController } from './catalog/producers.controller';
import { ProductsController } from './catalog/products.controller';
import { OrmContextMiddleware } from './common/orm-context.middleware';
import { throttlers } from './common/rate-limit.util';
import { REDIS } from './common/redis.provider';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { GATEWAY_ENTITIES } from './gateway.entities';
import { HealthController } from './health/health.controller';
import { IdentityController } from './identity/identity.controller';
import { IdentityService } from './identity/identity.service';
import { AgreementsController } from './beneficiaries/agreements.controller';
import { BeneficiariesClient } from './beneficiaries/beneficiaries.client';
import { LedgerClient } from './ledger/ledger.client';
import { LedgerController } from './ledger/ledger.controller';
import { ReconciliationController } from './ledger/reconciliation.controller';
import {
  PayoutAccountsController,
  PayoutBatchesController,
  ProducerPayoutAccountsController,
} from './ledger/payouts.controller';
import { PayoutsClient } from './ledger/payouts.client';
import { ReliefOfficeClient } from './ledger/relief-office.client';
import { ReliefOfficeController } from './ledger/relief-office.controller';
import { StatementsController } from './ledger/statements.controller';
import { MonitoringController } from './beneficiaries/monitoring.controller';
import { DeclarationsController } from './licensing/declarations.controller';
import { LabelScanFlushJob, LABEL_SCAN_FLUSH_MS } from './licensing/label-scan-flush.job';
import { LABEL_SCAN_SETTINGS, LabelScans } from './licensing/label-scans.service';
import { LabelsController } from './licensing/labels.controller';
import { LicencesController } from './licensing/licences.controller';
import { LicensingClient } from './licensing/licensing.client';
import { LotImpactService } from './licensing/lot-impact.service';
import { CartMergeService } from './orders/cart-merge.service';
import { OrdersClient } from './orders/orders.client';
import { BuyersController } from './orders/buyers.controller';
import { OrdersController } from './orders/orders.controller';
import { PaymentOptionsController } from './payments/payment-options.controller';
import { StripeInboxApplierJob } from './payments/stripe-inbox-applier.job';
import { StripeInboxRepository } from './payments/stripe-inbox.repository';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { STRIPE_WEBHOOK_VERIFIER, StripeWebhookVerifier } from './payments/stripe-webhook';
import { StripeWebhookIntake } from './payments/stripe-webhook-intake.service';
import { HouseholdsController } from './beneficiaries/households.controller';
import { RegisterController } from './beneficiaries/register.controller';
import { BeneficiariesGatewayService } from './beneficiaries/beneficiaries-gateway.service';
import { RegisterImportService } from './beneficiaries/register-import.service';
import { revokedTokensStore, RevokedTokens } from './sessions/revoked-tokens.store';
import { SessionService } from './sessions/session.service';
import { SessionsController } from './sessions/sessions.controller';
import { SignInBackoff } from './sessions/sign-in-backoff.store';

/** What the gateway is wired to, opened before the module is built. */
export interface GatewayConnections {
  redis: Redis | null;
  /** Rate-limit counters: in Redis, or in this process without it. */
  throttlerStorage: ThrottlerStorage;
  cache: ReadCache;
  catalog: CatalogClient;
  beneficiaries: BeneficiariesClient;
  orders: OrdersClient;
  ledger: LedgerClient;
  reliefOffice: ReliefOfficeClient;
  payouts: PayoutsClient;
  licensing: LicensingClient;
}

/** The HTTP gateway: identity, REST over every service, docs, health and metrics. */
@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(OrmContextMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  static forRoot(config: GatewayConfig, connections: GatewayConnections): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(httpLoggerParams('gateway', config.LOG_LEVEL)),
        MikroOrmModule.forRoot({
          ...ormOptions({
            url: config.DATABASE_URL,
            entities: GATEWAY_ENTITIES,
            migrations,
            poolMax: config.DB_POOL_MAX,
            poolIdleMs: config.DB_POOL_IDLE_MS,
          }),
          // Ours instead (`configure` below): the same context, forked on first use.
          registerRequestContext: false,
        }),
        MikroOrmModule.forFeature(GATEWAY_ENTITIES),
        ThrottlerModule.forRoot({
          throttlers: throttlers(config.RATE_LIMIT_PER_MINUTE, config.AUTH_RATE_LIMIT_PER_MINUTE),
          storage: connections.throttlerStorage,
          getTracker: (req: Record<string, unknown>) => String(req.ip ?? ''),
          // Per client IP across all routes (not per route), under a key the fast path shares.
          generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        IdentityController,
        SessionsController,
        ProductsController,
        ProducersController,
        CertificatesController,
        RegisterController,
        HouseholdsController,
        AgreementsController,
        HealthController,
        OrdersController,
        BuyersController,
        LedgerController,
        ReconciliationController,
        ReliefOfficeController,
        PayoutBatchesController,
        PayoutAccountsController,
        ProducerPayoutAccountsController,
        StatementsController,
        MonitoringController,
        LicencesController,
        LabelsController,
        DeclarationsController,
        PaymentOptionsController,
        // Without a signing secret the deployment takes no card payments: no webhook route (404).
        ...(config.STRIPE_WEBHOOK_SECRET ? [StripeWebhookController] : []),
      ],
      providers: [
        IdentityService,
        SessionService,
        // The guard asks the session service whether a token's session and user still hold.
        { provide: SessionCheck, useExisting: SessionService },
        // Revocations and sign-in failures: in Redis, or in this process without it.
        { provide: RevokedTokens, useValue: revokedTokensStore(connections.redis) },
        {
          provide: SignInBackoff,
          useValue: new SignInBackoff(connections.redis, {
            failuresBeforeBackoff: config.SIGN_IN_FAILURES_BEFORE_BACKOFF,
            failureWindowSeconds: config.SIGN_IN_FAILURE_WINDOW_SECONDS,
            backoffSeconds: config.SIGN_IN_BACKOFF_SECONDS,
            backoffMaxSeconds: config.SIGN_IN_BACKOFF_MAX_SECONDS,
          }),
        },
        CartMergeService,
        CatalogGatewayService,
        BeneficiariesGatewayService,
        RegisterImportService,
        LotImpactService,
        LabelScans,
        LabelScanFlushJob,
        { provide: LABEL_SCAN_FLUSH_MS, useValue: config.LABEL_SCAN_FLUSH_MS },
        {
          provide: LABEL_SCAN_SETTINGS,
          useValue: {
            codec: config.LABEL_TAG_KEY ? new LabelCodec(config.LABEL_TAG_KEY) : null,
            deadlineMs: config.GRPC_DEADLINE_MS,
          },
        },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: REDIS, useValue: connections.redis },
        { provide: ReadCache, useValue: connections.cache },
        { provide: CatalogClient, useValue: connections.catalog },
        { provide: BeneficiariesClient, useValue: connections.beneficiaries },
        { provide: OrdersClient, useValue: connections.orders },
        { provide: LedgerClient, useValue: connections.ledger },
        { provide: ReliefOfficeClient, useValue: connections.reliefOffice },
        { provide: PayoutsClient, useValue: connections.payouts },
        { provide: LicensingClient, useValue: connections.licensing },
        ...(config.STRIPE_WEBHOOK_SECRET
          ? [
              {
                provide: STRIPE_WEBHOOK_VERIFIER,
                useValue: new StripeWebhookVerifier({ secret: config.STRIPE_WEBHOOK_SECRET }),
              },
              StripeWebhookIntake,
            ]
          : []),
        // Applies what the webhook stored, also after the secret is removed: nothing stored is dropped.
        StripeInboxRepository,
        StripeInboxApplierJob,
        {
          provide: TokenService,
          useValue: new TokenService({
            secret: config.JWT_SECRET,
            ttlSeconds: config.JWT_TTL_SECONDS,
            issuer: 'yugong',
          }),
        },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
