import { parse } from 'csv-parse/sync';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DEMO_EMAIL, signIn, type Account } from './support/accounts';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

type Anyone = 'anonymous' | 'consumer' | 'staff' | 'officer' | 'auditor' | 'admin';
const ROUTE = '/api/v1/ledger/reconciliation';
const YEAR_2020 = { from: '2020-01-01T00:00:00+08:00', to: '2021-01-01T00:00:00+08:00' };

describe('reconciliation through the gateway', () => {
  let platform: Platform;
  const as = async (role: Anyone): Promise<Record<string, string>> =>
    role === 'anonymous' ? {} : signIn(platform, role as Account);

  beforeAll(async () => {
    platform = await startPlatform(
      'recon_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      { ledger: true, listen: true, demoSales: true },
    );
    // The ledger posts the demo's sales at boot: the year is reconciled once they are in.
    const officer = await as('officer');
    let credited = 0;
    for (const until = Date.now() + 120_000; Date.now() < until && credited < 100;) {
      const res = await request(platform.http)
        .get('/api/v1/ledger/household-income')
        .query({ asOf: '2021-01-01T00:00:00+08:00', windowMonths: 12 })
        .set(officer)
        .expect(200);
      credited = (res.body.households as { recentFen: number }[]).filter((h) => h.recentFen > 0).length;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(credited).toBeGreaterThanOrEqual(100);
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
  }, 120_000);

  it('answers auditors and the relief office, and refuses everyone else', async () => {
    const expected: Record<Anyone, number> = {
      anonymous: 401,
      consumer: 403,
      staff: 403,
      officer: 200,
      auditor: 200,
      admin: 200,
    };
    const seen: Record<string, number> = {};
    for (const role of Object.keys(expected) as Anyone[]) {
      const res = await request(platform.http)
        .get(ROUTE)
        .query(YEAR_2020)
        .set(await as(role));
      seen[role] = res.status;
    }
    expect(seen).toEqual(expected);
  });

  it('is empty for the demo year (bank transfers only, no batch), in JSON and CSV', async () => {
    const auditor = await as('auditor');
    const json = await request(platform.http).get(ROUTE).query(YEAR_2020).set(auditor).expect(200);
    expect(json.body).toMatchObject({
      from: '2019-12-31T16:00:00.000Z',
      to: '2020-12-31T16:00:00.000Z',
      items: [],
      unexplainedFen: 0,
      processorChecked: false,
    });

    const csv = await request(platform.http)
      .get(ROUTE)
      .query({ ...YEAR_2020, format: 'csv' })
      .set(auditor)
      .expect(200)
      .expect('content-type', /text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        kind: 'TOTAL',
        reference: '0 items',
        order_id: '',
        ledger_fen: '',
        external_fen: '',
        difference_fen: '0',
        currency: '',
        occurred_at: '',
        note: '',
      },
    ]);
  });

  it('names the field of a bad period', async () => {
    const officer = await as('officer');
    const missing = await request(platform.http)
      .get(ROUTE)
      .query({ to: YEAR_2020.to })
      .set(officer)
      .expect(400);
    expect(JSON.stringify(missing.body.fields)).toContain('from');
    const backwards = await request(platform.http)
      .get(ROUTE)
      .query({ from: YEAR_2020.to, to: YEAR_2020.from })
      .set(officer)
      .expect(400);
    expect(backwards.body.fields).toEqual([{ field: 'to', reason: 'must be after from' }]);
    const tooLong = await request(platform.http)
      .get(ROUTE)
      .query({ from: '2019-01-01T00:00:00Z', to: '2021-01-01T00:00:00Z' })
      .set(officer)
      .expect(400);
    expect(JSON.stringify(tooLong.body.fields)).toContain('to');
  });

  it('`npm run reconcile` prints the year reconciled and exits 0', async () => {
    const script = path.resolve(__dirname, '../../../tools/ledger/reconcile.mjs');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, '--from', '2020-01-01T00:00:00+08:00', '--to', '2021-01-01T00:00:00+08:00'],
      {
        env: {
          PATH: process.env['PATH'],
          YUGONG_API_URL: `http://127.0.0.1:${platform.gatewayPort}`,
          YUGONG_EMAIL: DEMO_EMAIL.auditor,
          YUGONG_PASSWORD: DEMO_PASSWORD,
        },
      },
    );
    expect(stdout).toContain('every fen agrees');
  });
});
