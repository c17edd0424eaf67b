import { demoId } from '@yugong/shared/demo';
import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';
import { LOT_IMPACT_TTL_MS } from '../src/licensing/lot-impact.service';

/**
 * Labels through the gateway: who may order, print and read the signals (every role, exact
 * status); a scanned label shows the product, the lot and the lot's impact as the ledger traces
 * it, never a household; a forged code is 404; a revoked licence's label says "revoked".
 */

type Anyone = DemoAccount | 'anonymous';

const YANGGUANG = demoId('producer', 'yangguang');
const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

// prettier-ignore
/** Status of: order a batch, print a page, read the signals, verify a code. */
const GRID: [Anyone, order: number, sheet: number, signals: number, verify: number][] = [
  ['officer',     201, 200, 200, 200],
  ['admin',       201, 200, 200, 200],
  ['auditor',     403, 403, 200, 200],
  ['staff',       201, 200, 403, 200],
  ['otherStaff',  403, 404, 403, 200],
  ['consumer',    403, 403, 403, 200],
  ['institution', 403, 403, 403, 200],
  ['anonymous',   401, 401, 401, 200],
];

describe('labels through the gateway', () => {
  let platform: Platform;
  let licenceId: string;
  let lotId: string;

  const as = async (who: Anyone) => (who === 'anonymous' ? {} : signIn(platform, who));
  const order = async (who: Anyone, quantity = 2) =>
    request(platform.http)
      .post('/api/v1/label-batches')
      .set(await as(who))
      .send({ productId: RABBIT, lotId, quantity });
  const codesOf = async (batchId: string) => {
    const res = await request(platform.http)
      .get(`/api/v1/label-batches/${batchId}/sheet.svg`)
      .set(await as('staff'))
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => done(null, text));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    return [...(res.body as string).matchAll(/>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})</g)].map((m) => m[1]!);
  };

  beforeAll(async () => {
    platform = await startPlatform(
      'e2e_labels',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, licensing: true, demoSales: true },
    );
    const applied = await request(platform.http)
      .post('/api/v1/licences')
      .set(await as('staff'))
      .send({ producerId: YANGGUANG, productIds: [RABBIT], commitmentBps: 200 })
      .expect(201);
    licenceId = applied.body.id;
    await request(platform.http)
      .post(`/api/v1/licences/${licenceId}/approve`)
      .set(await as('officer'))
      .send({ validFrom: daysFromNow(-1), validTo: daysFromNow(365) })
      .expect(200);
    const lots = await request(platform.http)
      .get(`/api/v1/products/${RABBIT}/lots`)
      .set(await as('staff'))
      .expect(200);
    lotId = (lots.body.items ?? lots.body)[0].id;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it.each(GRID)(
    '%s: order %i, sheet %i, signals %i, verify %i',
    async (who, ordered, sheet, signals, verify) => {
      const batch = (await order('staff', 1)).body;
      const [code] = await codesOf(batch.id);
      expect((await order(who, 1)).status).toBe(ordered);
      const page = await request(platform.http)
        .get(`/api/v1/label-batches/${batch.id}/sheet.svg`)
        .set(await as(who));
      expect(page.status).toBe(sheet);
      const read = await request(platform.http)
        .get('/api/v1/labels/signals')
        .set(await as(who));
      expect(read.status).toBe(signals);
      const scanned = await request(platform.http)
        .get(`/api/v1/labels/${code}`)
        .set(await as(who));
      expect(scanned.status).toBe(verify);
    },
  );

  it("a scanned label shows the product, the lot and the lot's impact, and no household", async () => {
    const created = await order('staff', 2);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ productId: RABBIT, lotId, quantity: 2, pages: 1 });
    const [code] = await codesOf(created.body.id);
    // The impact is the ledger's public lot trace, kept for up to LOT_IMPACT_TTL_MS: the ledger
    // may still be catching up with the demo's sales, so scan until both agree.
    const until = Date.now() + LOT_IMPACT_TTL_MS + 15_000;
    let res: request.Response;
    let trace: request.Response;
    let scans = 0;
    do {
      res = await request(platform.http).get(`/api/v1/labels/${code}`).expect(200);
      scans++;
      trace = await request(platform.http).get(`/api/v1/lots/${lotId}/trace`).expect(200);
      if (res.body.impact?.toHouseholds.fen === trace.body.householdAmount.fen) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } while (Date.now() < until);
    expect(res.body).toMatchObject({
      valid: true,
      code: code!.replace(/-/g, ''),
      licence: { status: 'active' },
      product: { id: RABBIT },
      producer: { id: YANGGUANG },
      lot: { id: lotId },
      impact: {
        households: trace.body.households,
        toHouseholds: { fen: trace.body.householdAmount.fen },
      },
      scans,
    });
    expect(res.body.producer.name).not.toBe('');
    expect(JSON.stringify(res.body)).not.toMatch(/householdId|nationalId|"name":"[^"]*户/);
    expect((await request(platform.http).get(`/api/v1/labels/${code}`).expect(200)).body.scans).toBe(
      scans + 1,
    );
  }, 90_000);

  it('refuses a forged code: 404 LABEL_NOT_FOUND', async () => {
    for (const forged of ['0123-4567-89AB-CDEF-GHJK-MNPQ', 'not-a-code', 'x'.repeat(100)]) {
      const res = await request(platform.http).get(`/api/v1/labels/${forged}`).expect(404);
      expect(res.body.error).toBe('LABEL_NOT_FOUND');
    }
    const signals = await request(platform.http)
      .get('/api/v1/labels/signals')
      .set(await as('officer'))
      .expect(200);
    expect(signals.body.forgedScans).toBeGreaterThanOrEqual(3);
  });

  it('prints a page as a PDF with the Chinese font embedded, for who may print', async () => {
    const batch = (await order('staff', 2)).body;
    const pdfOf = async (who: Anyone) =>
      request(platform.http)
        .get(`/api/v1/label-batches/${batch.id}/sheet.pdf`)
        .set(await as(who))
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        });
    const res = await pdfOf('staff');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-total-pages']).toBe('1');
    const pdf = (res.body as Buffer).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYi/);
    expect((await pdfOf('otherStaff')).status).toBe(404);
    expect((await pdfOf('consumer')).status).toBe(403);
    expect((await pdfOf('anonymous')).status).toBe(401);
    // Scans through the gateway count their place (here all from one network).
    const signals = await request(platform.http)
      .get('/api/v1/labels/signals')
      .set(await as('auditor'))
      .expect(200);
    expect(signals.body).toMatchObject({ overPlaceThreshold: 5, overPlaced: [] });
  });

  it('a label of a revoked licence says "revoked"', async () => {
    const [code] = await codesOf((await order('staff', 1)).body.id);
    await request(platform.http)
      .post(`/api/v1/licences/${licenceId}/revoke`)
      .set(await as('officer'))
      .send({ reason: 'counterfeits found' })
      .expect(200);
    const res = await request(platform.http).get(`/api/v1/labels/${code}`).expect(200);
    expect(res.body.licence.status).toBe('revoked');
    const signals = await request(platform.http)
      .get('/api/v1/labels/signals')
      .set(await as('officer'))
      .expect(200);
    expect(signals.body.revoked).toEqual([expect.objectContaining({ licenceId, scans: 1 })]);
  });

  it('refuses a batch naming no lot or too many codes, naming the field', async () => {
    const res = await request(platform.http)
      .post('/api/v1/label-batches')
      .set(await as('staff'))
      .send({ productId: RABBIT, lotId: 'nope', quantity: 10_001 })
      .expect(400);
    expect(JSON.stringify(res.body.fields)).toMatch(/lotId/);
    expect(JSON.stringify(res.body.fields)).toMatch(/quantity/);
  });
});
