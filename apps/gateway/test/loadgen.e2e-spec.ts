import { Client } from 'pg';
// The load generator is a tool, run against any gateway; here against this file's platform.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runLoad } from '../../../tools/loadgen/load.mjs';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

interface StepRow {
  step: string;
  requests: number;
  ok: number;
  refused: number;
  errors: number;
}

describe('the load generator against the platform', () => {
  let platform: Platform;
  let ordersSql: Client;

  beforeAll(async () => {
    platform = await startPlatform(
      'loadgen_e2e',
      { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, listen: true },
    );
    ordersSql = new Client({ connectionString: platform.ordersDatabaseUrl });
    await ordersSql.connect();
  }, 180_000);

  afterAll(async () => {
    await ordersSql?.end();
    await platform?.stop();
  });

  it('runs the mix bounded by its request count, and every checkout it counts is a paid order', async () => {
    const before = Number((await ordersSql.query(`select count(*) as n from customer_order`)).rows[0].n);
    const summary = (await runLoad({
      baseUrl: `http://127.0.0.1:${platform.gatewayPort}`,
      seconds: 60,
      maxRequests: 60,
      concurrency: 4,
      mix: { browse: 2, cart: 1, checkout: 2, trace: 1 },
      officer: { email: 'officer@example.com', password: DEMO_PASSWORD },
    })) as { total: number; errors: number; rows: StepRow[]; errorSamples: [string, number][] };

    expect(summary.errorSamples).toEqual([]);
    expect(summary.errors).toBe(0);
    // Bounded by count: no worker starts a step past the bound.
    expect(summary.total).toBe(60);
    const step = (name: string) => summary.rows.find((r) => r.step === name)!;
    for (const name of ['browse', 'cart', 'checkout', 'trace']) {
      expect(step(name).requests).toBeGreaterThan(0);
    }
    const checkout = step('checkout');
    expect(checkout.ok).toBeGreaterThan(0);
    const made = await ordersSql.query<{ status: string; n: string }>(
      `select status, count(*) as n from customer_order group by status`,
    );
    const after = made.rows.reduce((n, r) => n + Number(r.n), 0);
    expect(after - before).toBe(checkout.ok);
    const paid = await ordersSql.query<{ n: string }>(
      `select count(*) as n from customer_order where payment_reference like 'LOADGEN-%' and status = 'paid'`,
    );
    expect(Number(paid.rows[0]!.n)).toBe(checkout.ok);
  }, 240_000);
});
