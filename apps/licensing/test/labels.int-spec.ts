import { status } from '@grpc/grpc-js';
import { errorDetails, expectRejection } from '@yugong/shared/testing';
import type { CallerIdentity } from '@yugong/shared/auth';
import { randomBytes } from 'node:crypto';
import { LabelCodec } from '@yugong/shared/labels';
import { LabelsService } from '../src/labels/labels.service';
import {
  ADMIN,
  applyForRabbit,
  approve,
  AUDITOR,
  CONSUMER,
  GOAT,
  LABEL_TAG_KEY,
  OFFICER,
  RABBIT,
  RABBIT_HEADS,
  RUIXING_STAFF,
  startTestLicensing,
  YANGGUANG_STAFF,
  type TestLicensing,
} from './support/harness';

const REVOKE = 'LICENCE_ACTION_REVOKE' as never;
const SUSPEND = 'LICENCE_ACTION_SUSPEND' as never;

describe('labels', () => {
  let t: TestLicensing;
  let rabbitLot: { id: string; lot_code: string };
  let headsLot: string;

  beforeAll(async () => {
    t = await startTestLicensing('labels', {
      LABEL_OVER_SCAN_THRESHOLD: '3',
      LABEL_OVER_PLACE_THRESHOLD: '2',
    });
    const lotOf = async (productId: string) =>
      (
        await t.catalog.sql.query('select id, lot_code from lot where product_id = $1 order by id limit 1', [
          productId,
        ])
      ).rows[0];
    rabbitLot = await lotOf(RABBIT);
    headsLot = (await lotOf(RABBIT_HEADS)).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.sql.query('truncate label_scan_place, label_code, label_batch, licence cascade');
    await t.catalog.sql.query('delete from product_licence');
  });

  const order = (who: object | null, quantity = 5, productId = RABBIT, lotId = rabbitLot.id) =>
    t.client.call('orderLabelBatch', { productId, lotId, quantity }, who as never);
  const licensed = async () => approve(t, (await applyForRabbit(t)).id);
  const codesOf = async (batchId: string) =>
    (
      await t.sql.query('select code from label_code where batch_id = $1 order by position', [batchId])
    ).rows.map((r: { code: string }) => r.code);
  const verify = (code: string) => t.client.call('verifyLabel', { code }, null);
  const scanTotal = async () =>
    Number((await t.sql.query('select coalesce(sum(scans), 0) as n from label_code')).rows[0].n);

  it("orders a batch for a lot of a licensed product: the licensee's staff and officers", async () => {
    const licence = await licensed();
    const { batch } = await order(YANGGUANG_STAFF, 30);
    expect(batch).toMatchObject({
      licenceId: licence.id,
      licenceNumber: licence.number,
      productId: RABBIT,
      lotId: rabbitLot.id,
      lotCode: rabbitLot.lot_code,
      quantity: 30,
      orderedBy: YANGGUANG_STAFF.userId,
      pages: 2,
    });
    const codes = await codesOf(batch!.id);
    expect(codes).toHaveLength(30);
    expect(new Set(codes).size).toBe(30);
    const codec = new LabelCodec(LABEL_TAG_KEY);
    expect(codes.every((c: string) => codec.verify(c) === c)).toBe(true);

    for (const who of [OFFICER, ADMIN]) {
      expect((await order(who, 1)).batch!.orderedBy).toBe(who.userId);
    }
  });

  it("refuses batches from another producer's staff, auditors, consumers and the anonymous", async () => {
    await licensed();
    for (const [who, code] of [
      [RUIXING_STAFF, status.PERMISSION_DENIED],
      [AUDITOR, status.PERMISSION_DENIED],
      [CONSUMER, status.PERMISSION_DENIED],
      [null, status.UNAUTHENTICATED],
    ] as const) {
      await expectRejection(order(who), code);
    }
    expect(Number((await t.sql.query('select count(*) from label_batch')).rows[0].count)).toBe(0);
  });

  it('refuses a product no licence covers, a lot of another product, and a quantity out of range', async () => {
    await expectRejection(order(YANGGUANG_STAFF), status.FAILED_PRECONDITION); // not licensed yet
    await licensed();
    const otherLot = await expectRejection(
      order(YANGGUANG_STAFF, 5, RABBIT, headsLot),
      status.FAILED_PRECONDITION,
    );
    expect(errorDetails(otherLot).fields).toEqual([
      { field: 'lotId', reason: 'is not a lot of this product' },
    ]);
    const unlicensed = await expectRejection(order(OFFICER, 5, GOAT, headsLot), status.FAILED_PRECONDITION);
    expect(errorDetails(unlicensed).fields).toEqual([
      { field: 'productId', reason: 'is not covered by a licence now' },
    ]);
    for (const quantity of [0, 10_001]) {
      const bad = await expectRejection(order(YANGGUANG_STAFF, quantity), status.INVALID_ARGUMENT);
      expect(errorDetails(bad).fields?.[0]?.field).toBe('quantity');
    }
    expect(Number((await t.sql.query('select count(*) from label_batch')).rows[0].count)).toBe(0);
  });

  it('verifies a code, counting every scan, and shows the label but no household', async () => {
    const licence = await licensed();
    const [code] = await codesOf((await order(YANGGUANG_STAFF, 3)).batch!.id);
    const first = (await verify(code!)).label!;
    expect(first).toMatchObject({
      code,
      licenceStatus: 'active',
      licenceNumber: licence.number,
      productId: RABBIT,
      lotId: rabbitLot.id,
      lotCode: rabbitLot.lot_code,
      scans: 1,
    });
    expect(first.productNameZh).not.toBe('');
    expect(first.producerName).not.toBe('');
    // As printed: grouped, lower case.
    const printed = code!.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
    await Promise.all([verify(printed), verify(code!), verify(code!)]);
    expect((await verify(code!)).label!.scans).toBe(5);
    // Counted in memory, written by the flush job (or at once here).
    await t.app.get(LabelsService).flushScans();
    expect(await scanTotal()).toBe(5);
  });

  it('shows a code of a revoked licence as "revoked", and of a suspended one as "suspended"', async () => {
    const licence = await licensed();
    const [code] = await codesOf((await order(YANGGUANG_STAFF, 1)).batch!.id);
    await t.client.call('changeLicenceStatus', { id: licence.id, action: SUSPEND, reason: 'audit' }, OFFICER);
    expect((await verify(code!)).label!.licenceStatus).toBe('suspended');
    await t.client.call('changeLicenceStatus', { id: licence.id, action: REVOKE, reason: 'fraud' }, OFFICER);
    expect((await verify(code!)).label!.licenceStatus).toBe('revoked');
    const signals = await t.client.call('getLabelSignals', {}, OFFICER);
    expect(signals.revoked).toEqual([{ licenceId: licence.id, licenceNumber: licence.number, scans: 1 }]);
  });

  it('refuses 100,000 forged codes before the database: no scan counted, none reached the repository', async () => {
    await licensed();
    const [code] = await codesOf((await order(YANGGUANG_STAFF, 1)).batch!.id);
    await verify(code!);
    await t.app.get(LabelsService).flushScans();
    const before = (await t.sql.query('select code, scans, last_scanned_at from label_code')).rows;
    const labels = t.app.get(LabelsService);
    const officer = OFFICER as CallerIdentity;
    const { forgedScans: forgedBefore, unknownScans: unknownBefore } = await labels.signals(officer);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const random = randomBytes(24 * 100_000);
    const refusals = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      let forged = '';
      for (let j = i * 24; j < (i + 1) * 24; j++) {
        forged += alphabet[random[j]! & 31];
      }
      const code = await labels.verify(forged).then(
        () => 'ACCEPTED',
        (error: { code?: string }) => error.code ?? 'OTHER',
      );
      refusals.set(code, (refusals.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(refusals)).toEqual({ LABEL_NOT_FOUND: 100_000 });
    expect((await t.sql.query('select code, scans, last_scanned_at from label_code')).rows).toEqual(before);
    const after = await labels.signals(officer);
    // Every one stopped at the tag; none was looked up (a lookup that misses counts as unknown).
    expect(after.forgedScans - forgedBefore).toBe(100_000);
    expect(after.unknownScans).toBe(unknownBefore);
  }, 120_000);

  it('answers a forged code and a genuine-looking code never issued alike: LABEL_NOT_FOUND', async () => {
    const forged = await expectRejection(verify('0123-4567-89AB-CDEF-GHJK-MNPQ'), status.NOT_FOUND);
    expect(errorDetails(forged).code).toBe('LABEL_NOT_FOUND');
    const neverIssued = new LabelCodec(LABEL_TAG_KEY).issue();
    const unknown = await expectRejection(verify(neverIssued), status.NOT_FOUND);
    expect(errorDetails(unknown).code).toBe('LABEL_NOT_FOUND');
    expect((await t.client.call('getLabelSignals', {}, AUDITOR)).unknownScans).toBeGreaterThanOrEqual(1);
  });

  it('flags codes scanned more than the threshold, for the office only', async () => {
    await licensed();
    const batch = (await order(YANGGUANG_STAFF, 2)).batch!;
    const [hot, cold] = await codesOf(batch.id);
    for (let i = 0; i < 5; i++) {
      await verify(hot!);
    }
    await verify(cold!);
    const signals = await t.client.call('getLabelSignals', {}, OFFICER);
    expect(signals.overScanThreshold).toBe(3);
    expect(signals.overScanned).toEqual([{ code: hot, batchId: batch.id, productId: RABBIT, scans: 5 }]);
    await expectRejection(t.client.call('getLabelSignals', {}, YANGGUANG_STAFF), status.PERMISSION_DENIED);
    await expectRejection(t.client.call('getLabelSignals', {}, null), status.UNAUTHENTICATED);
  });

  it('flags codes scanned from more places than the threshold, keeping no address', async () => {
    await licensed();
    const batch = (await order(YANGGUANG_STAFF, 2)).batch!;
    const [travelled, local] = await codesOf(batch.id);
    const scanFrom = (code: string, clientNetwork: string) =>
      t.client.call('verifyLabel', { code, clientNetwork }, null);
    for (const network of ['203.0.113.0/24', '198.51.100.0/24', '2001:db8:abcd::/48', '192.0.2.0/24']) {
      await scanFrom(travelled!, network);
    }
    // Many scans from one place, and scans with no place, are one place at most.
    for (let i = 0; i < 4; i++) {
      await scanFrom(local!, '203.0.113.0/24');
      await scanFrom(local!, '');
    }
    const signals = await t.client.call('getLabelSignals', {}, AUDITOR);
    expect(signals.overPlaceThreshold).toBe(2);
    expect(signals.overPlaced).toEqual([
      { code: travelled, batchId: batch.id, productId: RABBIT, places: 4, scans: 4 },
    ]);
    const stored = await t.sql.query('select code, place from label_scan_place order by code, place');
    expect(stored.rows.filter((r: { code: string }) => r.code === local)).toHaveLength(1);
    for (const r of stored.rows as { place: string }[]) {
      expect(r.place).toMatch(/^[0-9a-f]{32}$/);
    }
    // The same network is the same place in every scan: a keyed hash, not a random one.
    expect(new Set(stored.rows.map((r: { place: string }) => r.place)).size).toBe(4);
  });

  it("prints a batch as SVG pages of QR codes pointing at the verify page; another producer's staff can't", async () => {
    await licensed();
    const batch = (await order(YANGGUANG_STAFF, 30)).batch!;
    const codes = await codesOf(batch.id);
    const page2 = await t.client.call('getLabelSheet', { batchId: batch.id, page: 2 }, YANGGUANG_STAFF);
    expect(page2.svg).toMatch(/^<\?xml/);
    // Page 2 holds codes 25..30, each printed in groups of four.
    const printed = [...page2.svg.matchAll(/>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})</g)].map((m) =>
      m[1]!.replace(/-/g, ''),
    );
    expect(printed).toEqual(codes.slice(24));
    const outOfRange = await expectRejection(
      t.client.call('getLabelSheet', { batchId: batch.id, page: 3 }, OFFICER),
      status.FAILED_PRECONDITION,
    );
    expect(errorDetails(outOfRange).fields?.[0]?.field).toBe('page');
    await expectRejection(
      t.client.call('getLabelSheet', { batchId: batch.id, page: 1 }, RUIXING_STAFF),
      status.NOT_FOUND,
    );
  });

  it('prints the same page as a PDF with the Chinese font embedded', async () => {
    await licensed();
    const batch = (await order(YANGGUANG_STAFF, 3)).batch!;
    const sheet = await t.client.call(
      'getLabelSheet',
      { batchId: batch.id, page: 1, format: 'pdf' },
      OFFICER,
    );
    const pdf = Buffer.from(sheet.pdf).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/FontFile2 /);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYi/);
    expect(sheet.svg).toBe('');
    const bad = await expectRejection(
      t.client.call('getLabelSheet', { batchId: batch.id, page: 1, format: 'png' }, OFFICER),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields?.[0]?.field).toBe('format');
    await expectRejection(
      t.client.call('getLabelSheet', { batchId: batch.id, page: 1, format: 'pdf' }, RUIXING_STAFF),
      status.NOT_FOUND,
    );
  });
});
