import * as grpc from '@grpc/grpc-js';
import { GRPCHealthIndicator, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { freePort } from '@yugong/shared/testing';
import { service as healthService } from 'grpc-health-check';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { REDIS } from '../src/common/redis.provider';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

/**
 * Abuse of the operations endpoints and of long lists, each case named after what it stops:
 * readiness polled hard enough to load every dependency, readiness telling an outsider the
 * backends' errors, page numbers deep enough to make OFFSET expensive, metrics read by anyone who
 * reaches the API.
 */

const METRICS_TOKEN = 'e2e-metrics-token-0123456789';
/**
 * Readiness answers are shared for this long: longer than production's 1 s, so that a burst of 20
 * requests on a loaded test runner still lands within one answer's life.
 */
const READINESS_CACHE_MS = 3_000;

/** A stand-in for the orders service's gRPC health endpoint that counts the checks it answers. */
async function countingHealthServer() {
  const server = new grpc.Server();
  const asked: string[] = [];
  server.addService(healthService, {
    check: (
      call: grpc.ServerUnaryCall<{ service: string }, unknown>,
      callback: grpc.sendUnaryData<{ status: string }>,
    ) => {
      asked.push(call.request.service);
      callback(null, { status: 'SERVING' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    checks: () => asked.length,
    /** The service names the checks asked about. */
    services: () => [...new Set(asked)],
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('security: operations endpoints', () => {
  let platform: Platform;
  let orders: Awaited<ReturnType<typeof countingHealthServer>>;
  let metricsPort: number;

  beforeAll(async () => {
    orders = await countingHealthServer();
    metricsPort = await freePort();
    platform = await startPlatform('security_operations', {
      ORDERS_GRPC_URL: orders.address,
      METRICS_TOKEN,
      METRICS_PORT: String(metricsPort),
      READINESS_CACHE_MS: String(READINESS_CACHE_MS),
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await orders?.stop();
  });

  describe('readiness polled by many callers at once', () => {
    it('answers 20 concurrent /readyz calls with one check of each dependency', async () => {
      await sleep(READINESS_CACHE_MS); // past any check the boot made
      const grpcChecks = jest.spyOn(GRPCHealthIndicator.prototype, 'checkService');
      const dbChecks = jest.spyOn(MikroOrmHealthIndicator.prototype, 'pingCheck');
      const redis = platform.app.get<symbol, Redis | null>(REDIS);
      const redisPings = redis ? jest.spyOn(redis, 'ping') : undefined;
      const ordersChecks = orders.checks();

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => request(platform.http).get('/readyz')),
      );

      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(grpcChecks.mock.calls.map(([name]) => name).sort()).toEqual([
        'beneficiaries',
        'catalog',
        'orders',
      ]);
      expect(dbChecks).toHaveBeenCalledTimes(1);
      expect(redisPings?.mock.calls.length ?? 1).toBe(1);
      expect(orders.checks() - ordersChecks).toBe(1);
      expect(orders.services()).toEqual(['yugong.orders.v1.OrdersService']);
      // Repeated within the answer's life: still the same answer, still no new check.
      await request(platform.http).get('/readyz').expect(200);
      expect(orders.checks() - ordersChecks).toBe(1);
      jest.restoreAllMocks();
    });
  });

  describe('readiness with orders unreachable', () => {
    it('answers 503 naming orders down, without error text, addresses or a stack', async () => {
      await orders.stop();
      await sleep(READINESS_CACHE_MS);

      const res = await request(platform.http).get('/readyz');

      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'error',
        error: { orders: { status: 'down' } },
        details: {
          database: { status: 'up' },
          redis: { status: 'up' },
          catalog: { status: 'up' },
          beneficiaries: { status: 'up' },
          orders: { status: 'down' },
        },
      });
      expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|UNAVAILABLE|error:|at /i);
    });
  });

  describe('page numbers deep enough to make OFFSET expensive', () => {
    const login = async (email: string) =>
      (
        await request(platform.http)
          .post('/api/v1/auth/login')
          .send({ email, password: DEMO_PASSWORD })
          .expect(200)
      ).body.accessToken as string;

    it('answers 400 naming page past row 10,000 of orders or households', async () => {
      const consumer = await login('consumer@example.com');
      const auditor = await login('auditor@example.com');

      const refused = await Promise.all([
        request(platform.http).get('/api/v1/orders').query({ page: 501 }).auth(consumer, { type: 'bearer' }),
        request(platform.http)
          .get('/api/v1/households')
          .query({ page: 101, pageSize: 100 })
          .auth(auditor, { type: 'bearer' }),
      ]);

      for (const res of refused) {
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          error: 'VALIDATION_FAILED',
          fields: [{ field: 'page', reason: expect.stringContaining('nextCursor') }],
        });
      }
      const atLimit = await request(platform.http)
        .get('/api/v1/households')
        .query({ page: 100, pageSize: 100 })
        .auth(auditor, { type: 'bearer' })
        .expect(200);
      expect(atLimit.body.items).toEqual([]);
    });

    it('walks households past the first page by nextCursor', async () => {
      const auditor = await login('auditor@example.com');
      const page = (query: Record<string, string | number>) =>
        request(platform.http)
          .get('/api/v1/households')
          .query(query)
          .auth(auditor, { type: 'bearer' })
          .expect(200);

      const first = await page({ pageSize: 3 });
      const next = await page({ pageSize: 3, cursor: first.body.nextCursor as string });
      const both = await page({ pageSize: 6 });

      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect([...first.body.items, ...next.body.items].map((h: { id: string }) => h.id)).toEqual(
        both.body.items.map((h: { id: string }) => h.id),
      );
      const forged = await request(platform.http)
        .get('/api/v1/households')
        .query({ cursor: 'bm90LWEtY3Vyc29y' })
        .auth(auditor, { type: 'bearer' })
        .expect(400);
      expect(forged.body.fields).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });
  });

  describe('metrics read from the API port, or without the token', () => {
    it('serves no metrics on the API port once METRICS_PORT is set', async () => {
      const res = await request(platform.http).get('/metrics');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('yugong_gateway_');
    });

    it('answers 401 on the metrics port without the token, and the metrics with it', async () => {
      const metrics = `http://127.0.0.1:${metricsPort}`;
      const refused = await request(metrics).get('/metrics');
      expect({ status: refused.status, error: refused.body.error }).toEqual({
        status: 401,
        error: 'UNAUTHENTICATED',
      });
      const wrong = await request(metrics).get('/metrics').set('authorization', 'Bearer not-the-token');
      expect(wrong.status).toBe(401);

      const scraped = await request(metrics).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('yugong_gateway_http_request_duration_seconds');
    });
  });
});
