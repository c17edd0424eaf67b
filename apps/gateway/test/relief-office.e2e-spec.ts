import { describeWithRedis } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signIn, type Account } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson, TrialBalanceJson } from './support/views';

type Role = 'consumer' | 'staff' | 'officer' | 'auditor' | 'admin';
type Anyone = Role | 'anonymous';
const COLUMNS = ['anonymous', 'consumer', 'staff', 'officer', 'auditor', 'admin'] as const;

/** The demo's second relief officer: the one who approves. */
const SECOND_OFFICER = { email: 'officer2@example.com', password: DEMO_PASSWORD };

interface RunJson {
  id: string;
  state: string;
  totalFen: number;
  recipients: number;
  proposedBy: string;
  decidedBy: string | null;
  transactionId: string | null;
  shares: { householdId: string; members: number; amountFen: number }[];
}

// Checkout (the donation the run distributes) lives in the orders service, which needs Redis.
describeWithRedis('the relief office on the ledger through the gateway', () => {
  let platform: Platform;
  let village: string;
  let household: string;
  const ACCOUNT: Record<Role | 'second', Account> = {
    consumer: 'consumer',
    staff: 'staff',
    officer: 'officer',
    auditor: 'auditor',
    admin: 'admin',
    second: SECOND_OFFICER,
  };
  const as = async (role: Anyone | 'second'): Promise<Record<string, string>> =>
    role === 'anonymous' ? {} : signIn(platform, ACCOUNT[role]);
  const nowhere = randomUUID();

  beforeAll(async () => {
    platform = await startPlatform(
      'relief_office_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true },
    );
    const households = await request(platform.http)
      .get('/api/v1/households')
      .query({ pageSize: 1 })
      .set(await as('officer'))
      .expect(200);
    household = households.body.items[0].id;
    village = households.body.items[0].villageId;
    expect(village).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
  });

  // Every refusal here writes nothing: the officers' own calls are refused by the ledger's rules
  // (no such run, more than the fund or the unallocated share holds) after the role check let them in.
  const ROUTES: { name: string; send: (h: Record<string, string>) => request.Test; expected: number[] }[] = [
    // prettier-ignore
    { name: 'GET unallocated-shares', expected: [401, 403, 403, 200, 200, 200],
      send: (h) => request(platform.http).get('/api/v1/ledger/unallocated-shares').set(h) },
    {
      name: 'POST allocations',
      expected: [401, 403, 403, 409, 403, 409],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/unallocated-shares/${nowhere}/allocations`)
          .set(h)
          .set('Idempotency-Key', `matrix-${randomUUID()}`)
          .send({ households: [{ householdId: household }], reason: 'matrix' }),
    },
    {
      name: 'GET suspense',
      expected: [401, 403, 403, 200, 200, 200],
      send: (h) => request(platform.http).get('/api/v1/ledger/suspense').set(h),
    },
    {
      name: 'POST suspense settlement',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/suspense/${nowhere}/settlement`)
          .set(h)
          .send({ outcome: 'return', reason: 'matrix' }),
    },
    {
      name: 'POST distribution-runs',
      expected: [401, 403, 403, 409, 403, 409],
      send: (h) =>
        request(platform.http)
          .post('/api/v1/ledger/distribution-runs')
          .set(h)
          .send({ policy: 'equal', villageId: village, totalFen: 9_000_000_000_000 }),
    },
    {
      name: 'GET distribution-runs',
      expected: [401, 403, 403, 200, 200, 200],
      send: (h) => request(platform.http).get('/api/v1/ledger/distribution-runs').set(h),
    },
    {
      name: 'GET distribution-runs/:id',
      expected: [401, 403, 403, 404, 404, 404],
      send: (h) => request(platform.http).get(`/api/v1/ledger/distribution-runs/${nowhere}`).set(h),
    },
    {
      name: 'POST approve',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) => request(platform.http).post(`/api/v1/ledger/distribution-runs/${nowhere}/approve`).set(h),
    },
    {
      name: 'POST reject',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/distribution-runs/${nowhere}/reject`)
          .set(h)
          .send({ reason: 'm' }),
    },
    {
      name: 'POST cancel',
      expected: [401, 403, 403, 404, 403, 404],
      send: (h) =>
        request(platform.http)
          .post(`/api/v1/ledger/distribution-runs/${nowhere}/cancel`)
          .set(h)
          .send({ reason: 'm' }),
    },
  ];

  it('answers each role on each route as the matrix says, and no refusal writes', async () => {
    const before = await request(platform.http)
      .get('/api/v1/ledger/distribution-runs')
      .set(await as('auditor'));
    const got: Record<string, number[]> = {};
    const want: Record<string, number[]> = {};
    for (const route of ROUTES) {
      want[route.name] = route.expected;
      got[route.name] = [];
      for (const role of COLUMNS) {
        got[route.name]!.push((await route.send(await as(role))).status);
      }
    }
    expect(got).toEqual(want);
    const after = await request(platform.http)
      .get('/api/v1/ledger/distribution-runs')
      .set(await as('auditor'));
    expect(after.body.items).toEqual(before.body.items);
  }, 120_000);

  it('refuses bad input naming the field, writing nothing', async () => {
    const officer = await as('officer');
    const bad = await request(platform.http)
      .post('/api/v1/ledger/distribution-runs')
      .set(officer)
      .send({ policy: 'lottery', totalFen: -1 })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['policy', 'totalFen']);
    const noKey = await request(platform.http)
      .post(`/api/v1/ledger/unallocated-shares/${nowhere}/allocations`)
      .set(officer)
      .send({ households: [{ householdId: household }], reason: 'x' })
      .expect(400);
    expect(noKey.body.fields).toEqual([{ field: 'Idempotency-Key', reason: 'header is required' }]);
    const weights = await request(platform.http)
      .post('/api/v1/ledger/distribution-runs')
      .set(officer)
      .send({ policy: 'by_status', villageId: village, totalFen: 100, statusWeights: { vip: 5 } })
      .expect(400);
    expect(weights.body.fields[0].field).toMatch(/^statusWeights/);
    await request(platform.http)
      .post(`/api/v1/ledger/suspense/not-a-uuid/settlement`)
      .set(officer)
      .send({ outcome: 'keep', reason: '' })
      .expect(400);
  });

  it('distributes a donation by a run one officer proposes and another approves, once', async () => {
    const consumer = await as('consumer');
    const officer = await as('officer');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    const product = (listed.body.items as ProductJson[]).find((p) => p.stock >= 1)!;
    const placed = await addAndCheckOut(
      platform,
      consumer,
      { productId: product.id, quantity: 1 },
      `relief-office-e2e-${randomUUID()}`,
      { paymentMethod: 'manual', donationFen: 50_000 },
    );
    expect(placed.status).toBe(201);
    const order = placed.body.order as OrderJson;
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(officer)
      .send({ amountFen: order.total.fen, reference: 'BOC-RUN-0001' })
      .expect(200);

    // The relay and the ledger are asynchronous: propose once the donation is in the fund.
    let proposed: request.Response | undefined;
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      proposed = await request(platform.http)
        .post('/api/v1/ledger/distribution-runs')
        .set(officer)
        .set('Idempotency-Key', 'spring-festival-2021')
        .send({ policy: 'per_member', villageId: village, totalFen: 10_001, memo: '春节慰问' });
      if (proposed.status !== 409) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(proposed!.status).toBe(201);
    const run = proposed!.body as RunJson;
    expect(run).toMatchObject({ state: 'proposed', totalFen: 10_001 });
    expect(run.shares.reduce((s, x) => s + x.amountFen, 0)).toBe(10_001);
    const members = run.shares.reduce((s, x) => s + x.members, 0);
    for (const share of run.shares) {
      expect(Math.abs(share.amountFen - (10_001 * share.members) / members)).toBeLessThan(1);
    }

    const fourEyes = await request(platform.http)
      .post(`/api/v1/ledger/distribution-runs/${run.id}/approve`)
      .set(officer)
      .expect(403);
    expect(fourEyes.body.error).toBe('FOUR_EYES_REQUIRED');
    expect(fourEyes.body.message).toMatch(/four-eyes rule/);

    const second = await as('second');
    const [a, b] = await Promise.all([
      request(platform.http).post(`/api/v1/ledger/distribution-runs/${run.id}/approve`).set(second),
      request(platform.http).post(`/api/v1/ledger/distribution-runs/${run.id}/approve`).set(second),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.transactionId).toBeTruthy();
    expect(b.body.transactionId).toBe(a.body.transactionId);

    const runs = await request(platform.http)
      .get('/api/v1/ledger/distribution-runs')
      .set(await as('auditor'))
      .expect(200);
    const listedRun = (runs.body.items as RunJson[]).find((r) => r.id === run.id)!;
    expect(listedRun).toMatchObject({ state: 'approved', totalFen: 10_001, recipients: run.shares.length });
    expect(listedRun.decidedBy).not.toBe(listedRun.proposedBy);
    const trial = (
      await request(platform.http)
        .get('/api/v1/ledger/trial-balance')
        .set(await as('auditor'))
        .expect(200)
    ).body as TrialBalanceJson;
    expect(trial.balanced).toBe(true);
    const credited = trial.accounts.find((x) => x.code === `household:${run.shares[0]!.householdId}:benefit`);
    expect(credited?.balanceFen ?? 0).toBeGreaterThanOrEqual(run.shares[0]!.amountFen);
  }, 120_000);
});
