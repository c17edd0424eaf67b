import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { LabelCodec } from '@yugong/shared/labels';
import { errorDetails, expectRejection, testRedisUrl } from '@yugong/shared/testing';
import {
  applyForRabbit,
  approve,
  bootLicensing,
  LABEL_TAG_KEY,
  OFFICER,
  RABBIT,
  startTestLicensing,
  YANGGUANG_STAFF,
  type TestLicensing,
} from './support/harness';

/**
 * Batches of scans the gateway answered itself (`RecordLabelScans`): counted once per batch id,
 * summed across senders, with their places; forged scans go to counters every licensing
 * instance shares (Redis).
 */
describe('label scan batches', () => {
  let t: TestLicensing;
  let second: Awaited<ReturnType<typeof bootLicensing>>;
  let lotId: string;
  const redisKeyPrefix = `test:label-batches:${randomUUID()}:`;

  beforeAll(async () => {
    const shared = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: redisKeyPrefix };
    t = await startTestLicensing('label_scan_batches', shared);
    // A second licensing instance on the same database and Redis.
    second = await bootLicensing(t.url, t.catalog.address, shared);
    lotId = (
      await t.catalog.sql.query('select id from lot where product_id = $1 order by id limit 1', [RABBIT])
    ).rows[0].id;
  });

  beforeEach(async () => {
    await t.sql.query('truncate label_scan_place, label_code, label_batch, licence cascade');
    await t.catalog.sql.query('delete from product_licence');
  });

  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const codesOf = async (quantity: number) => {
    await approve(t, (await applyForRabbit(t)).id);
    const batch = await t.client.call(
      'orderLabelBatch',
      { productId: RABBIT, lotId, quantity },
      YANGGUANG_STAFF,
    );
    return (
      await t.sql.query('select code from label_code where batch_id = $1 order by position', [
        batch.batch!.id,
      ])
    ).rows.map((r: { code: string }) => r.code);
  };
  const stored = async (code: string) =>
    (await t.sql.query('select scans, revoked_scans from label_code where code = $1', [code])).rows[0];
  const entry = (code: string, scans: number, clientNetwork = '') => ({
    code,
    clientNetwork,
    scans,
    revokedScans: 0,
    lastScannedAt: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
  });

  it('counts a batch retried with the same id once, and answers the stored totals', async () => {
    const [code] = await codesOf(1);
    const batch = { batchId: randomUUID(), forgedScans: 0, scans: [entry(code!, 7, '203.0.113.0/24')] };
    const first = await t.client.call('recordLabelScans', batch, 'service');
    expect(first).toEqual({ replayed: false, totals: [{ code, scans: 7 }] });
    // The sender did not hear the answer and sends it again, to either instance, twice at once.
    const retries = await Promise.all([
      t.client.call('recordLabelScans', batch, 'service'),
      second.client.call('recordLabelScans', batch, 'service'),
    ]);
    expect(retries).toEqual([
      { replayed: true, totals: [{ code, scans: 7 }] },
      { replayed: true, totals: [{ code, scans: 7 }] },
    ]);
    expect(await stored(code!)).toEqual({ scans: '7', revoked_scans: '0' });
    const places = await t.sql.query('select count(*)::int as n from label_scan_place where code = $1', [
      code,
    ]);
    expect(places.rows[0].n).toBe(1);
  });

  it('sums batches of two senders exactly, with the scans licensing counted itself', async () => {
    const [code] = await codesOf(1);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const client = i % 2 === 0 ? t.client : second.client;
      sends.push(
        client.call(
          'recordLabelScans',
          { batchId: randomUUID(), forgedScans: 0, scans: [entry(code!, i + 1, `198.51.${i}.0/24`)] },
          'service',
        ),
      );
      sends.push(client.call('verifyLabel', { code: code!, clientNetwork: '' }, null));
    }
    await Promise.all(sends);
    // 1 + 2 + … + 20 from batches, and 20 scans licensing answered (written by its flush job).
    const expected = 210 + 20;
    const until = Date.now() + 10_000;
    while (Number((await stored(code!)).scans) !== expected && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(Number((await stored(code!)).scans)).toBe(expected);
    const signals = await t.client.call('getLabelSignals', {}, OFFICER);
    expect(signals.overScanned.find((o) => o.code === code)?.scans).toBe(expected);
    expect(signals.overPlaced.find((o) => o.code === code)?.places).toBe(20);
  });

  it("shares forged scans across instances: a batch's and each instance's own", async () => {
    const before = (await t.client.call('getLabelSignals', {}, OFFICER)).forgedScans;
    const batch = { batchId: randomUUID(), forgedScans: 5, scans: [] };
    await t.client.call('recordLabelScans', batch, 'service');
    await second.client.call('recordLabelScans', batch, 'service'); // a retry: not counted again
    await expectRejection(second.client.call('verifyLabel', { code: 'not-a-code' }, null), status.NOT_FOUND);
    // A code of another key in a batch is forged too, and counted nowhere else.
    const foreign = new LabelCodec(`${LABEL_TAG_KEY}-other`).issue();
    await second.client.call(
      'recordLabelScans',
      { batchId: randomUUID(), forgedScans: 0, scans: [entry(foreign, 2)] },
      'service',
    );
    // Each instance reads what both counted (the other's verify scan is added at its flush).
    const until = Date.now() + 10_000;
    let seen = 0;
    do {
      seen = (await t.client.call('getLabelSignals', {}, OFFICER)).forgedScans;
    } while (seen !== before + 8 && Date.now() < until);
    expect(seen).toBe(before + 8);
    expect((await second.client.call('getLabelSignals', {}, OFFICER)).forgedScans).toBe(before + 8);
  });

  it('takes batches from the gateway as itself only, and names a bad field', async () => {
    const batch = { batchId: randomUUID(), forgedScans: 0, scans: [] };
    await expectRejection(t.client.call('recordLabelScans', batch, null), status.PERMISSION_DENIED);
    await expectRejection(t.client.call('recordLabelScans', batch, OFFICER), status.PERMISSION_DENIED);
    const bad = await expectRejection(
      t.client.call('recordLabelScans', { ...batch, batchId: 'not-a-uuid' }, 'service'),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields?.[0]?.field).toBe('batchId');
  });
});
