import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { runAsService } from '@yugong/shared/logging';
import {
  createTestDatabase,
  freePort,
  TEST_SERVICE_KEYS,
  testRedisUrl,
  uniqueRedisPrefix,
} from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
// e2e tests boot every service in this process, as `npm start` boots them in separate ones.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startBeneficiaries } from '../../../beneficiaries/src/beneficiaries.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { beneficiariesConfig } from '../../../beneficiaries/src/config/beneficiaries.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startCatalog } from '../../../catalog/src/catalog.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { catalogConfig } from '../../../catalog/src/config/catalog.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ledgerConfig } from '../../../ledger/src/config/ledger.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startLedger } from '../../../ledger/src/ledger.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { licensingConfig } from '../../../licensing/src/config/licensing.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startLicensing } from '../../../licensing/src/licensing.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ordersConfig } from '../../../orders/src/config/orders.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startOrders } from '../../../orders/src/orders.bootstrap';
import { gatewayConfig } from '../../src/config/gateway.config';
import { startGateway } from '../../src/gateway.bootstrap';
// The launcher's service table: each service gets the environment `npm start` gives it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { serviceEnv, type LaunchContext } from '../../../../tools/runtime/services.mjs';

export const DEMO_PASSWORD = 'demo-password-for-tests';
/** The platform's own token signing secret (tests that forge tokens sign with others). */
export const JWT_SECRET = 'e2e-jwt-secret-0123456789-0123456789';

/** Every service of the platform, running against fresh databases. */
export interface Platform {
  app: NestFastifyApplication;
  /** The HTTP server to hand to supertest. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  catalogDatabaseUrl: string;
  beneficiariesDatabaseUrl: string;
  gatewayDatabaseUrl: string;
  ordersDatabaseUrl: string;
  /** Empty when the platform runs without a ledger (`ledger: false`). */
  ledgerDatabaseUrl: string;
  /** Empty when the platform runs without licensing. */
  licensingDatabaseUrl: string;
  /** Where the gateway would listen with `listen: true`. */
  gatewayPort: number;
  /** The gateway's environment, to boot another gateway instance beside it. */
  gatewayEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Opens the gateway on `gatewayPort` (for a client in another process). */
  listen?: boolean;
  /** Added to the orders service's environment. */
  ordersEnv?: Record<string, string>;
  /**
   * `true`: orders seeds the demo region's 319 paid orders of 2020 (with their events), as
   * `npm start` does, for tests of what the ledger made of them (income, statements, payouts,
   * reconciliation, lot traces). Default `false`: the demo catalogue, register and accounts only,
   * no order before the test's own, because seeding the year (and a ledger posting it) takes most
   * of a platform's boot on a loaded machine.
   */
  demoSales?: boolean;
  /**
   * `false`: no service gets a Redis (in-process stores, as `npm start` on a machine without
   * one). Default: the tests' Redis (`REDIS_URL`), when there is one.
   */
  redis?: boolean;
  /**
   * `true`: the ledger runs too, and orders' relay delivers every order event to it. Default
   * `false`: no ledger (the relay has no consumer; events wait in the outbox), because a ledger
   * posting the demo's 2020 sales (`demoSales`) takes seconds of CPU every other e2e file does not need.
   */
  ledger?: boolean;
  /** Added to the ledger's environment. */
  ledgerEnv?: Record<string, string>;
  /**
   * `true`: licensing runs too (orders snapshots licence terms at checkout, the gateway serves the
   * licence routes). Default `false`: no licensing, so no line carries a licence.
   */
  licensing?: boolean;
  /** Added to licensing's environment. */
  licensingEnv?: Record<string, string>;
  /**
   * Every service's `LOG_LEVEL` (default `silent`). Lines go to stdout, or to the stream a test
   * sets with `setLogDestination` before starting the platform (to read what the services log).
   */
  logLevel?: string;
}

/** The gRPC deadline every service of a test platform gets unless the test sets its own. */
const TEST_DEADLINE_MS = '15000';

/**
 * Boots beneficiaries, catalog, the ledger, orders and the gateway (demo data seeded, the 2020 sales
 * only with `demoSales`) on fresh databases and
 * a private Redis prefix, each with the environment the launcher gives it
 * (`tools/runtime/services.mjs`). `env` adds to the gateway's environment.
 */
export async function startPlatform(
  label: string,
  env: Record<string, string> = {},
  options: PlatformOptions = {},
): Promise<Platform> {
  const withLedger = options.ledger ?? false;
  const withLicensing = options.licensing ?? false;
  const [catalogDb, beneficiariesDb, gatewayDb, ordersDb, ledgerDb, licensingDb] = await Promise.all([
    createTestDatabase(`${label}_catalog`),
    createTestDatabase(`${label}_register`),
    createTestDatabase(`${label}_gateway`),
    createTestDatabase(`${label}_orders`),
    withLedger ? createTestDatabase(`${label}_ledger`) : undefined,
    withLicensing ? createTestDatabase(`${label}_licensing`) : undefined,
  ]);
  const databases = {
    catalog: catalogDb.url,
    beneficiaries: beneficiariesDb.url,
    gateway: gatewayDb.url,
    orders: ordersDb.url,
    ledger: ledgerDb?.url ?? '',
    licensing: licensingDb?.url ?? '',
  };
  const ctx: LaunchContext = {
    databaseUrl: (service) => databases[service],
    redisUrl: options.redis === false ? undefined : testRedisUrl(),
    redisKeyPrefix: uniqueRedisPrefix(label),
    secrets: {
      SERVICE_KEYS: TEST_SERVICE_KEYS,
      JWT_SECRET,
      PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PII_ACTIVE_KEY_ID: 'k1',
      PII_HASH_KEY: randomBytes(32).toString('base64'),
      LABEL_TAG_KEY: randomBytes(32).toString('base64'),
    },
    ports: await freshPorts(withLedger, withLicensing),
    logLevel: options.logLevel ?? 'silent',
    host: '127.0.0.1',
    demoPassword: DEMO_PASSWORD,
  };
  // Stopped in reverse order, also when a later service fails to start (its error is thrown).
  const running: { close(): Promise<void> }[] = [];
  const closeServices = async () => {
    for (const service of running.reverse()) {
      await service.close();
    }
    running.length = 0;
  };
  const stop = async () => {
    await closeServices();
    await Promise.all([
      gatewayDb.drop(),
      catalogDb.drop(),
      beneficiariesDb.drop(),
      ordersDb.drop(),
      ledgerDb?.drop(),
      licensingDb?.drop(),
    ]);
  };
  const started = async <T extends { close(): Promise<void> }>(service: Promise<T | undefined>) => {
    const value = (await service)!;
    running.push(value);
    return value;
  };
  // Two platforms share the runner's two cores while a ledger posts a year of demo sales: the
  // production deadline (3 s) would time the machine's load, not the code. No test asks a
  // service for its reflection, which `npm start` turns on and which costs every boot a decode of
  // each contract. A test's own env wins.
  const envOf = (name: Parameters<typeof serviceEnv>[0], overrides: Record<string, string> = {}) =>
    serviceEnv(name, ctx, { GRPC_DEADLINE_MS: TEST_DEADLINE_MS, GRPC_REFLECTION: 'false', ...overrides });
  // Each service boots in its own logging context, as the launcher runs it (runAsService): its
  // lines outside a request carry its own name and level, not the first service's.
  const boot = <C extends { LOG_LEVEL: string }, T>(
    service: string,
    config: C,
    start: (config: C) => Promise<T>,
  ) => runAsService(service, config.LOG_LEVEL, () => start(config));
  // Orders seeds the 2020 sales only where the test asks for them; the other services' demo data
  // (catalogue, register, accounts) is seeded either way.
  const ordersEnv = { ...(options.demoSales ? {} : { SEED_DEMO: 'false' }), ...options.ordersEnv };
  // A port picked free may be taken (by another test's outgoing connection) before the service
  // binds it: then the services start again, on fresh ports, over the same databases.
  for (let attempt = 1; ; attempt++) {
    try {
      await started(boot('beneficiaries', beneficiariesConfig(envOf('beneficiaries')), startBeneficiaries));
      await started(boot('catalog', catalogConfig(envOf('catalog')), startCatalog));
      if (withLedger) {
        await started(boot('ledger', ledgerConfig(envOf('ledger', options.ledgerEnv)), startLedger));
      }
      if (withLicensing) {
        await started(
          boot('licensing', licensingConfig(envOf('licensing', options.licensingEnv)), startLicensing),
        );
      }
      await started(boot('orders', ordersConfig(envOf('orders', ordersEnv)), startOrders));
      const gatewayEnv = envOf('gateway', env);
      const gateway = await started(
        boot('gateway', gatewayConfig(gatewayEnv), (config) =>
          startGateway(config, { listen: options.listen ?? false }),
        ),
      );
      return {
        app: gateway.app,
        http: gateway.app.getHttpServer(),
        catalogDatabaseUrl: catalogDb.url,
        beneficiariesDatabaseUrl: beneficiariesDb.url,
        gatewayDatabaseUrl: gatewayDb.url,
        ordersDatabaseUrl: ordersDb.url,
        ledgerDatabaseUrl: ledgerDb?.url ?? '',
        licensingDatabaseUrl: licensingDb?.url ?? '',
        gatewayPort: ctx.ports.gateway,
        gatewayEnv,
        stop,
      };
    } catch (error) {
      if (attempt < PORT_ATTEMPTS && isAddressInUse(error)) {
        await closeServices();
        ctx.ports = await freshPorts(withLedger, withLicensing);
        continue;
      }
      await stop();
      throw error;
    }
  }
}

/** How many times a platform is started on fresh ports when one was taken meanwhile. */
const PORT_ATTEMPTS = 3;

/** Free ports for every service; 0 for the ledger or licensing when the platform runs without it. */
async function freshPorts(withLedger: boolean, withLicensing: boolean): Promise<LaunchContext['ports']> {
  return {
    catalog: await freePort(),
    beneficiaries: await freePort(),
    gateway: await freePort(),
    orders: await freePort(),
    // 0: no ledger; the launcher then gives orders no event consumer and the gateway no ledger URL.
    ledger: withLedger ? await freePort() : 0,
    // 0: no licensing; orders and the gateway then get no licensing URL.
    licensing: withLicensing ? await freePort() : 0,
  };
}

/** Whether a service failed to start because its port was in use (grpc-js or node:net). */
function isAddressInUse(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'EADDRINUSE' || (typeof e?.message === 'string' && e.message.includes('EADDRINUSE'));
}
