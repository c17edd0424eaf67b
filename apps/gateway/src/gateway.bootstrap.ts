import { GRPC_SERVICES } from '@yugong/contracts';
import { MikroORM } from '@mikro-orm/core';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import multipart from '@fastify/multipart';
import { CacheNamespace, connectRedis, ReadCache } from '@yugong/shared/cache';
import { DEMO_PRODUCERS, demoId } from '@yugong/shared/demo';
import { validationExceptionFactory } from '@yugong/shared/errors';
import { clientSettings, createGrpcStub } from '@yugong/shared/grpc';
import { migrate } from '@yugong/shared/orm';
import { Logger } from 'nestjs-pino';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { CatalogClient } from './catalog/catalog.client';
import { registerPublicCatalogFastPath } from './catalog/public-catalog.fast-path';
import { instrumentHttp, serveMetrics } from './common/http-metrics.util';
import { LeasedThrottlerStorage } from './common/leased-throttler.storage';
import { helmetOptions, registerResponseHeaders } from './common/security-headers.util';
import { serveWebApp, webAppUrl } from './common/web-app.util';
import type { GatewayConfig } from './config/gateway.config';
import { IdentityService, type NewAccount } from './identity/identity.service';
import { LedgerClient } from './ledger/ledger.client';
import { PayoutsClient } from './ledger/payouts.client';
import { ReliefOfficeClient } from './ledger/relief-office.client';
import { LabelScans } from './licensing/label-scans.service';
import { registerLabelVerifyFastPath, type LabelFastPathDeps } from './licensing/label-verify.fast-path';
import { LicensingClient } from './licensing/licensing.client';
import { LotImpactService } from './licensing/lot-impact.service';
import { NoNulPipe } from './common/no-nul.pipe';
import { OrdersClient } from './orders/orders.client';
import { registerStripeWebhookFastPath } from './payments/stripe-webhook.fast-path';
import { StripeWebhookIntake } from './payments/stripe-webhook-intake.service';
import { BeneficiariesClient, RegisterImportChannel } from './beneficiaries/beneficiaries.client';
import { multipartLimits } from './beneficiaries/register-import.service';

/** A running gateway. */
export interface RunningGateway {
  app: NestFastifyApplication;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Builds the gateway: Fastify with helmet, a body limit and request ids; validation that rejects
 * unknown fields; OpenAPI at /api/docs; metrics; its database migrated and its accounts seeded.
 * `listen: false` leaves the port closed (tests call it through supertest). `shutdownHooks: false`
 * leaves SIGTERM and SIGINT to the caller (a host of several apps in one process, which closes
 * each itself; Nest's hooks would re-raise the signal at the whole process).
 */
export async function startGateway(
  config: GatewayConfig,
  options: { listen?: boolean; shutdownHooks?: boolean } = {},
): Promise<RunningGateway | undefined> {
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, 'gateway', config.REDIS_KEY_PREFIX) : null;
  const cache = await ReadCache.open(config.REDIS_URL, {
    namespace: `${config.REDIS_KEY_PREFIX}${CacheNamespace.catalogListing}`,
  });
  const settings = clientSettings('gateway', config);
  // Every channel connects on its first call: the services need not be up while the gateway boots.
  const registerImports = new RegisterImportChannel(config.BENEFICIARIES_GRPC_URL, settings.signer);
  const clients = {
    catalog: new CatalogClient(createGrpcStub(GRPC_SERVICES.catalog, config.CATALOG_GRPC_URL), settings),
    beneficiaries: new BeneficiariesClient(
      createGrpcStub(GRPC_SERVICES.beneficiaries, config.BENEFICIARIES_GRPC_URL),
      settings,
      registerImports,
    ),
    orders: new OrdersClient(createGrpcStub(GRPC_SERVICES.orders, config.ORDERS_GRPC_URL), settings),
    ledger: new LedgerClient(createGrpcStub(GRPC_SERVICES.ledger, config.LEDGER_GRPC_URL), settings),
    reliefOffice: new ReliefOfficeClient(
      createGrpcStub(GRPC_SERVICES.reliefOffice, config.LEDGER_GRPC_URL),
      settings,
    ),
    payouts: new PayoutsClient(createGrpcStub(GRPC_SERVICES.payouts, config.LEDGER_GRPC_URL), settings),
    licensing: new LicensingClient(
      createGrpcStub(GRPC_SERVICES.licensing, config.LICENSING_GRPC_URL),
      settings,
    ),
  };

  const throttlerStorage = redis ? new LeasedThrottlerStorage(redis) : new ThrottlerStorageService();

  // The Fastify instance is made here so that these hooks run before Nest's middleware.
  const fastify = Fastify({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // Pages of the web app are routed to its index.html before Fastify picks a route.
    rewriteUrl: config.WEB_ROOT ? (req: IncomingMessage) => webAppUrl(req.method, req.url ?? '/') : undefined,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  // Only the register import reads a file (request.file()); every other route takes JSON.
  await fastify.register(multipart, { limits: multipartLimits(config.IMPORT_MAX_FILE_BYTES) });
  registerResponseHeaders(fastify, helmetOptions({ stripe: Boolean(config.STRIPE_PUBLISHABLE_KEY) }));
  instrumentHttp(fastify);
  const closeMetrics = await serveMetrics(fastify, {
    token: config.METRICS_TOKEN,
    port: config.METRICS_PORT,
    host: config.HOST,
  });
  const webApp = config.WEB_ROOT ? await serveWebApp(fastify, config.WEB_ROOT) : false;
  registerPublicCatalogFastPath(fastify, cache, {
    storage: throttlerStorage,
    limit: config.RATE_LIMIT_PER_MINUTE,
    ttlMs: 60_000,
  });
  // Resolved on the first scan: the port opens only after Nest has built them.
  let labelDeps: LabelFastPathDeps | undefined;
  registerLabelVerifyFastPath(
    fastify,
    () => (labelDeps ??= { scans: app.get(LabelScans), impact: app.get(LotImpactService) }),
    { storage: throttlerStorage, limit: config.RATE_LIMIT_PER_MINUTE, ttlMs: 60_000 },
  );
  if (config.STRIPE_WEBHOOK_SECRET) {
    // Resolved on the first delivery: the port opens only after Nest has built it.
    let intake: StripeWebhookIntake | undefined;
    const resolve = (): StripeWebhookIntake => {
      const found: StripeWebhookIntake = intake ?? app.get(StripeWebhookIntake);
      intake = found;
      return found;
    };
    registerStripeWebhookFastPath(fastify, resolve, config.BODY_LIMIT_BYTES);
  }
  const adapter = new FastifyAdapter(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, {
      redis,
      throttlerStorage,
      cache,
      ...clients,
    }),
    adapter,
    // Every JSON body is read as bytes before it is parsed anyway; rawBody keeps those bytes on the
    // request, which the Stripe webhook needs to check its signature.
    { bufferLogs: true, rawBody: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (config.WEB_ROOT && !webApp) {
    logger.warn(`WEB_ROOT has no index.html (build the web app): serving the API only`);
  }
  if (!redis) {
    logger.warn(
      'REDIS_URL is not set: rate limits and the catalogue cache are in-process only (single machine only)',
    );
  }

  app.setGlobalPrefix('api/v1', { exclude: ['healthz', 'readyz'] });
  app.useGlobalPipes(
    new NoNulPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Yugong API')
      .setDescription(
        'Consumption-based poverty relief: relief products, producers and where every fen goes.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  const orm = app.get(MikroORM);
  await migrate(orm, config.DATABASE_URL);
  const close = async () => {
    await app.close();
    await closeMetrics();
    for (const client of Object.values(clients)) {
      client.close();
    }
    registerImports.close();
    await cache.close();
    await redis?.quit().catch(() => undefined);
  };
  if (config.MIGRATE_ONLY) {
    await close();
    return undefined;
  }
  await seedAccounts(app, config, logger);
  if (options.shutdownHooks ?? true) {
    app.enableShutdownHooks();
  }
  if (options.listen ?? true) {
    await app.listen(config.PORT, config.HOST);
    logger.log(`gateway listening on http://${config.HOST}:${config.PORT}`);
  } else {
    await app.init();
    await fastify.ready();
  }
  return { app, close };
}

/** The admin from the environment and, with SEED_DEMO, the demo accounts. Idempotent. */
async function seedAccounts(
  app: NestFastifyApplication,
  config: GatewayConfig,
  logger: Logger,
): Promise<void> {
  const orm = app.get(MikroORM);
  const identity = app.get(IdentityService);
  const accounts: NewAccount[] = [];
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    accounts.push({
      email: config.ADMIN_EMAIL,
      name: 'Administrator',
      password: config.ADMIN_PASSWORD,
      role: 'admin',
    });
  }
  if (config.SEED_DEMO && config.DEMO_PASSWORD) {
    const password = config.DEMO_PASSWORD;
    accounts.push(
      { email: 'officer@example.com', name: '济源市扶贫办 (demo officer)', password, role: 'relief_officer' },
      // A second officer: distribution runs need one to propose and another to approve.
      {
        email: 'officer2@example.com',
        name: '济源市扶贫办 (second demo officer)',
        password,
        role: 'relief_officer',
      },
      { email: 'auditor@example.com', name: 'Demo auditor', password, role: 'auditor' },
      { email: 'consumer@example.com', name: 'Demo consumer', password, role: 'consumer' },
      {
        email: 'institution@example.com',
        name: '济源市机关食堂 (demo institution)',
        password,
        role: 'institution',
      },
      ...DEMO_PRODUCERS.filter((p) => p.staffEmail).map<NewAccount>((p) => ({
        email: p.staffEmail!,
        name: `${p.legalName} staff`,
        password,
        role: 'producer_staff',
        producerIds: [demoId('producer', p.key)],
      })),
    );
  }
  // In parallel: argon2 hashes on libuv's thread pool, and a cold start hashes every account.
  const results = await Promise.all(
    accounts.map((account) => orm.em.fork().transactional(() => identity.ensureAccount(account))),
  );
  const created = results.filter(Boolean).length;
  if (accounts.length > 0) {
    logger.log(`accounts: ${accounts.length} ensured, ${created} new`);
  }
}
