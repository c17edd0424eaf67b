import { demoId } from '@yugong/shared/demo';
import { describeWithRedis } from '@yugong/shared/testing';
import request from 'supertest';
import { signIn, signInAs, type DemoAccount } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson } from './support/views';

/**
 * A producer's household share through the gateway: who may change it (every role, exact status,
 * nothing written when refused), what bad input gets, the history on `GET /producers/:id`, and
 * the share a checkout snapshots on its lines before and after a change.
 */

type Anyone = DemoAccount | 'anonymous';

/** 阳光兔业: `staff` works for it, `otherStaff` does not. */
const YANGGUANG = demoId('producer', 'yangguang');
const RABBIT = demoId('product', 'yangguang/rabbit-jerky');

interface StepJson {
  id: string;
  fromBasisPoints: number | null;
  basisPoints: number;
  effectiveFrom: string;
  reason: string;
  changedBy: string | null;
}

interface ProducerJson {
  id: string;
  householdShareBps: number;
  householdShareHistory: StepJson[];
}

/** The calendar date in China (UTC+8) `days` from now. */
const chinaDay = (days: number) =>
  new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

// prettier-ignore
const GRID: [Anyone, put: number, get: number, seesWho: boolean][] = [
  ['anonymous',   401, 200, false],
  ['consumer',    403, 200, false],
  ['institution', 403, 200, false],
  ['staff',       403, 200, false],
  ['otherStaff',  403, 200, false],
  ['auditor',     403, 200, true],
  ['officer',     200, 200, true],
  ['admin',       200, 200, true],
];

// Checkout needs carts, which live in Redis.
describeWithRedis('household share through the gateway', () => {
  let platform: Platform;
  /** A step the officer recorded first, for every role to read. */
  let recorded: StepJson;
  let officerId: string;

  beforeAll(async () => {
    platform = await startPlatform('e2e_share');
    officerId = (await signInAs(platform, 'officer')).user.id;
    const res = await put('officer', { basisPoints: 950, effectiveFrom: chinaDay(5), reason: 'read by all' });
    recorded = (res.body as ProducerJson).householdShareHistory.find((s) => s.reason === 'read by all')!;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const as = async (who: Anyone) => (who === 'anonymous' ? {} : signIn(platform, who));
  const put = async (who: Anyone, body: object, id = YANGGUANG) =>
    request(platform.http)
      .put(`/api/v1/producers/${id}/household-share`)
      .set(await as(who))
      .send(body);
  const history = async (who: Anyone = 'officer') =>
    (
      await request(platform.http)
        .get(`/api/v1/producers/${YANGGUANG}`)
        .set(await as(who))
        .expect(200)
    ).body as ProducerJson;

  it.each(GRID)('%s: PUT %i, GET %i', async (who, putStatus, getStatus, seesWho) => {
    const before = await history();
    const day = 10 + GRID.findIndex(([role]) => role === who);
    const res = await put(who, { basisPoints: 900 + day, effectiveFrom: chinaDay(day), reason: `by ${who}` });
    expect(res.status).toBe(putStatus);
    const after = await history();
    if (putStatus === 200) {
      expect(after.householdShareHistory).toHaveLength(before.householdShareHistory.length + 1);
      expect(res.body.householdShareHistory).toEqual(after.householdShareHistory);
      expect(after.householdShareHistory.at(-1)).toMatchObject({
        basisPoints: 900 + day,
        reason: `by ${who}`,
      });
    } else {
      expect(res.body.error).toBe(putStatus === 401 ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED');
      expect(after).toEqual(before);
    }
    const seen = await request(platform.http)
      .get(`/api/v1/producers/${YANGGUANG}`)
      .set(await as(who));
    expect(seen.status).toBe(getStatus);
    const step = (seen.body as ProducerJson).householdShareHistory.find((s) => s.id === recorded.id);
    expect(step).toEqual({ ...recorded, changedBy: seesWho ? officerId : null });
  });

  it('refuses bad input with 400 naming the field, an unknown producer with 404, and writes nothing', async () => {
    const before = await history();
    const good = { basisPoints: 1000, effectiveFrom: chinaDay(100), reason: 'renewed' };
    const cases: [object, string[]][] = [
      [{ ...good, basisPoints: 10_001 }, ['basisPoints']],
      [{ ...good, basisPoints: 12.5 }, ['basisPoints']],
      [{ ...good, basisPoints: '1000' }, ['basisPoints']],
      [{ ...good, effectiveFrom: chinaDay(-1) }, ['effectiveFrom']],
      [{ ...good, effectiveFrom: '2020-13-01' }, ['effectiveFrom']],
      [{ ...good, effectiveFrom: 20270101 }, ['effectiveFrom']],
      [{ ...good, reason: '' }, ['reason']],
      [{ basisPoints: 1000, effectiveFrom: chinaDay(100) }, ['reason']],
      [{ ...good, extra: 1 }, ['extra']],
    ];
    for (const [body, fields] of cases) {
      const res = await put('officer', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect([...new Set(res.body.fields.map((f: { field: string }) => f.field))]).toEqual(fields);
    }
    expect((await put('officer', good, 'not-a-uuid')).status).toBe(400);
    const unknown = await put('officer', good, demoId('producer', 'nobody'));
    expect(unknown.status).toBe(404);
    expect(await history()).toEqual(before);
  });

  it('answers 409 for a second change at the same instant, and 200 unchanged for the same one', async () => {
    const at = `${chinaDay(200)}T08:00:00+08:00`;
    expect((await put('officer', { basisPoints: 1111, effectiveFrom: at, reason: 'first' })).status).toBe(
      200,
    );
    const clash = await put('admin', { basisPoints: 2222, effectiveFrom: at, reason: 'second' });
    expect(clash.status).toBe(409);
    expect(clash.body.fields).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);
    const before = await history();
    expect((await put('admin', { basisPoints: 1111, effectiveFrom: at, reason: 'again' })).status).toBe(200);
    expect(await history()).toEqual(before);
  });

  it('checkout snapshots the share in force: lines sold before a change keep theirs', async () => {
    const consumer = await signIn(platform, 'consumer');
    const officer = await signIn(platform, 'officer');
    const buy = async (key: string) => {
      const res = await addAndCheckOut(platform, consumer, { productId: RABBIT, quantity: 1 }, key);
      expect(res.status).toBe(201);
      return res.body.order as OrderJson;
    };
    const first = await buy(`share-before-${Date.now()}`);
    const inForce = (await history()).householdShareBps;
    expect(first.lines[0].householdShareBps).toBe(inForce);
    const changed = await put('officer', {
      basisPoints: inForce + 250,
      effectiveFrom: new Date().toISOString(),
      reason: 'more rabbits bought from households',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.householdShareBps).toBe(inForce + 250);
    const second = await buy(`share-after-${Date.now()}`);
    expect(second.lines[0].householdShareBps).toBe(inForce + 250);
    const reread = await request(platform.http).get(`/api/v1/orders/${first.id}`).set(officer).expect(200);
    expect((reread.body as OrderJson).lines[0].householdShareBps).toBe(inForce);
  });
});
