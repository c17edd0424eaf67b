import { freePort } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { signIn } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';

// A store or a service out of reach: the answer is 503 naming which one (README, "Faults under
// load"), never a 500, and never an address, a connection string or a driver's message.
describe('503 naming what is unavailable', () => {
  let platform: Platform;
  let consumer: Record<string, string>;
  const LEAKS = /127\.0\.0\.1|localhost|postgres(ql)?:|:5432|ECONNREFUSED|not currently accepting|at \//i;

  beforeAll(async () => {
    // Nothing listens where the gateway looks for the ledger: a service that is down.
    const nobody = await freePort();
    platform = await startPlatform('unavailable_e2e', { LEDGER_GRPC_URL: `127.0.0.1:${nobody}` });
    consumer = await signIn(platform, 'consumer');
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it("answers 503 'orders database unavailable' while orders' database refuses connections", async () => {
    await request(platform.http).get('/api/v1/orders').set(consumer).expect(200);
    const database = new URL(platform.ordersDatabaseUrl).pathname.slice(1);
    const admin = new Client({
      connectionString: platform.ordersDatabaseUrl.replace(/\/[^/]+$/, '/postgres'),
    });
    await admin.connect();
    try {
      await admin.query(`alter database "${database}" allow_connections false`);
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );

      const refused = await request(platform.http).get('/api/v1/orders').set(consumer);

      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: 'UNAVAILABLE', message: 'orders database unavailable' });
      expect(refused.text).not.toMatch(LEAKS);
    } finally {
      await admin.query(`alter database "${database}" allow_connections true`);
      await admin.end();
    }
    // And back once it accepts connections again.
    let status = 0;
    for (const until = Date.now() + 20_000; status !== 200 && Date.now() < until;) {
      status = (await request(platform.http).get('/api/v1/orders').set(consumer)).status;
    }
    expect(status).toBe(200);
  }, 60_000);

  it("answers 503 'ledger service unavailable' when the ledger does not answer at all", async () => {
    const res = await request(platform.http).get('/api/v1/ledger/public-summary');

    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'UNAVAILABLE', message: 'ledger service unavailable' });
    expect(res.text).not.toMatch(LEAKS);
  }, 30_000);
});
