import { demoId } from '@yugong/shared/demo';
import { Client } from 'pg';
import request from 'supertest';
import { gatewayConfig } from '../src/config/gateway.config';
import { startGateway, type RunningGateway } from '../src/gateway.bootstrap';
import { LABEL_VIEW_TTL_MS, LabelScans } from '../src/licensing/label-scans.service';
import { signIn } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';

/**
 * The gateway's own verify path: a forged code is refused there, never reaching licensing; scans
 * answered from its second-long copy of a label are sent in batches and summed exactly across
 * gateway instances; a revoked licence's label says so within that second.
 */

const YANGGUANG = demoId('producer', 'yangguang');
const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('label scans counted by the gateway', () => {
  let platform: Platform;
  let second: RunningGateway;
  let cut: RunningGateway;
  let sql: Client;
  let lotId: string;
  let licenceId: string;

  const as = (who: 'staff' | 'officer') => signIn(platform, who);
  const licensedCodes = async (quantity: number) => {
    const batch = await request(platform.http)
      .post('/api/v1/label-batches')
      .set(await as('staff'))
      .send({ productId: RABBIT, lotId, quantity })
      .expect(201);
    const rows = await sql.query('select code from label_code where batch_id = $1 order by position', [
      batch.body.id,
    ]);
    return { codes: rows.rows.map((r: { code: string }) => r.code) };
  };
  const storedScans = async (code: string) =>
    Number((await sql.query('select scans from label_code where code = $1', [code])).rows[0].scans);

  beforeAll(async () => {
    platform = await startPlatform(
      'e2e_label_scans',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { licensing: true },
    );
    sql = new Client({ connectionString: platform.licensingDatabaseUrl });
    await sql.connect();
    // A second instance, as behind a load balancer; and one that cannot reach licensing at all.
    second = (await startGateway(gatewayConfig(platform.gatewayEnv), { listen: false }))!;
    cut = (await startGateway(gatewayConfig({ ...platform.gatewayEnv, LICENSING_GRPC_URL: '127.0.0.1:9' }), {
      listen: false,
    }))!;
    const lots = await request(platform.http)
      .get(`/api/v1/products/${RABBIT}/lots`)
      .set(await as('staff'))
      .expect(200);
    lotId = (lots.body.items ?? lots.body)[0].id;
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
  }, 300_000);

  afterAll(async () => {
    await cut?.close();
    await second?.close();
    await sql?.end();
    await platform?.stop();
  });

  it('refuses a forged code in the gateway: licensing is never asked, and counts it once told', async () => {
    const { codes } = await licensedCodes(1);
    const forged = '0123-4567-89AB-CDEF-GHJK-MNPQ';
    // A gateway with no licensing to call still refuses it: no call was needed.
    const refused = await request(cut.app.getHttpServer()).get(`/api/v1/labels/${forged}`).expect(404);
    expect(refused.body.error).toBe('LABEL_NOT_FOUND');
    // A genuine code does need licensing: that gateway cannot answer it.
    await request(cut.app.getHttpServer()).get(`/api/v1/labels/${codes[0]}`).expect(503);

    const before = await sql.query('select code, scans, last_scanned_at from label_code order by code');
    const signals = async () =>
      (
        await request(platform.http)
          .get('/api/v1/labels/signals')
          .set(await as('officer'))
          .expect(200)
      ).body;
    const forgedBefore = (await signals()).forgedScans;
    for (let i = 0; i < 25; i++) {
      await request(platform.http).get(`/api/v1/labels/${forged}`).expect(404);
    }
    // Licensing's rows are as they were; its shared counter has them once the gateway sent them
    // (reading the signals sends this gateway's batch first).
    expect(
      (await sql.query('select code, scans, last_scanned_at from label_code order by code')).rows,
    ).toEqual(before.rows);
    expect((await signals()).forgedScans).toBe(forgedBefore + 25);
  });

  it('sums the scans of two gateway instances exactly in licensing', async () => {
    const { codes } = await licensedCodes(1);
    const code = codes[0]!;
    const scanAll = (http: unknown, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          request(http as Parameters<typeof request>[0])
            .get(`/api/v1/labels/${code}`)
            .expect(200),
        ),
      );
    const answers = await Promise.all([
      scanAll(platform.http, 150),
      scanAll(second.app.getHttpServer(), 120),
    ]);
    // Each answer counts its own scan among all of them. (Not unique per instance: a label read
    // again while a batch is in flight may count that batch twice until licensing answers it.)
    for (const r of answers.flat()) {
      expect(r.body.scans).toBeGreaterThanOrEqual(1);
      expect(r.body.scans).toBeLessThanOrEqual(270 + 120);
    }
    await Promise.all([platform.app.get(LabelScans).flush(), second.app.get(LabelScans).flush()]);
    // Licensing's own scans (a gateway's first read of a label) are written by its flush job.
    const until = Date.now() + 10_000;
    while ((await storedScans(code)) !== 270 && Date.now() < until) {
      await sleep(100);
    }
    expect(await storedScans(code)).toBe(270);
    // A later read of either instance starts from that total.
    await sleep(LABEL_VIEW_TTL_MS + 50);
    const next = await request(second.app.getHttpServer()).get(`/api/v1/labels/${code}`).expect(200);
    expect(next.body.scans).toBe(271);
  });

  // Last: it revokes the licence the others scan under.
  it("shows a revoked licence's label as revoked within the gateway's second", async () => {
    const { codes } = await licensedCodes(1);
    const code = codes[0]!;
    const scan = () => request(second.app.getHttpServer()).get(`/api/v1/labels/${code}`).expect(200);
    expect((await scan()).body.licence.status).toBe('active');
    expect((await scan()).body.licence.status).toBe('active'); // from the gateway's copy
    await request(platform.http)
      .post(`/api/v1/licences/${licenceId}/revoke`)
      .set(await as('officer'))
      .send({ reason: 'counterfeit found' })
      .expect(200);
    const revokedAt = Date.now();
    let status = (await scan()).body.licence.status;
    while (status !== 'revoked' && Date.now() - revokedAt < LABEL_VIEW_TTL_MS + 2_000) {
      await sleep(50);
      status = (await scan()).body.licence.status;
    }
    expect(status).toBe('revoked');
    // The copy read before the revocation had at most its second left.
    await sleep(Math.max(0, revokedAt + LABEL_VIEW_TTL_MS - Date.now()) + 20);
    expect((await scan()).body.licence.status).toBe('revoked');
  });
});
