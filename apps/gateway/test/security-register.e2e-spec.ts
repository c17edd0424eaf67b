import { demoId, demoRegister } from '@yugong/shared/demo';
import { Client } from 'pg';
import request from 'supertest';
import { signIn } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';

const YANGGUANG = demoId('producer', 'yangguang');
const HEADER = 'archiveNumber,headName,nationalId,members,townNameZh,villageNameZh';

type Role = 'officer' | 'auditor' | 'staff';

describe('register privacy through the gateway', () => {
  let platform: Platform;
  let sql: Client;
  /** A seeded household linked to 阳光兔业, with a payout account and a baseline income. */
  let linked: ReturnType<typeof demoRegister>['households'][number];

  // Staff: of 阳光兔业 (YANGGUANG). Each account signs in once per platform.
  const headers = (role: Role) => signIn(platform, role);

  async function accessLog(householdId: string) {
    const res = await request(platform.http)
      .get('/api/v1/register/access-log')
      .query({ householdId, pageSize: 100 })
      .set(await headers('auditor'))
      .expect(200);
    return res.body.items as { userId: string; purpose: string; action: string }[];
  }

  beforeAll(async () => {
    platform = await startPlatform('security_register', { RATE_LIMIT_PER_MINUTE: '100000' });
    sql = new Client({ connectionString: platform.beneficiariesDatabaseUrl });
    await sql.connect();
    const register = demoRegister();
    const ofYangguang = new Set(
      register.agreements.filter((a) => a.producerId === YANGGUANG).map((a) => a.householdId),
    );
    linked = register.households.find(
      (h) => ofYangguang.has(h.id) && h.payoutAccount && h.baselineIncomeFen > 0,
    )!;
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await platform?.stop();
  });

  it('an import probe for a national ID leaves an access-log row', async () => {
    const target = demoRegister().households[1];
    const file = Buffer.from(`${HEADER}\nPROBE-0001,探测,${target.nationalId},1,王屋镇,谭庄村\n`);
    const before = await accessLog(target.id);

    const refused = await request(platform.http)
      .post('/api/v1/households/import')
      .query({ dryRun: 'true' })
      .set(await headers('officer'))
      .attach('file', file, 'register.csv')
      .expect(400);
    expect(refused.body.error).toBe('VALIDATION_FAILED');
    expect(new Set(refused.body.fields.map((f: { field: string }) => f.field))).toEqual(new Set(['purpose']));
    expect(refused.body.rowsRead).toBeUndefined();
    expect(await accessLog(target.id)).toEqual(before);

    const probe = await request(platform.http)
      .post('/api/v1/households/import')
      .query({ dryRun: 'true', purpose: '核对重复登记' })
      .set(await headers('officer'))
      .attach('file', file, 'register.csv')
      .expect(200);
    expect(probe.body).toMatchObject({ committed: false, dryRun: true });
    expect(probe.body.rejected).toEqual([
      expect.objectContaining({ line: 2, field: 'nationalId', reason: 'is registered to another household' }),
    ]);
    const after = await accessLog(target.id);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({ purpose: '核对重复登记', action: 'ImportRegisterDryRun' });
    const nothing = await request(platform.http)
      .get('/api/v1/households')
      .query({ archiveNumber: 'PROBE-' })
      .set(await headers('officer'))
      .expect(200);
    expect(nothing.body.total).toBe(0);
  });

  it('a ciphertext swapped between households fails to decrypt', async () => {
    const [a, b] = demoRegister().households.slice(2, 4);
    await sql.query(
      'update household set head_name_enc = (select head_name_enc from household where id = $1) where id = $2',
      [a.id, b.id],
    );
    const res = await request(platform.http)
      .get(`/api/v1/households/${b.id}`)
      .query({ purpose: '核对2020年分红发放名单' })
      .set(await headers('officer'))
      .expect(409);
    expect(res.body.error).toBe('PII_UNREADABLE');
    expect(res.body.message).toContain(b.id);
    expect(JSON.stringify(res.body)).not.toContain(a.headName);
    expect(await accessLog(b.id)).toEqual([]);
  });

  it('personal data is not cached', async () => {
    const officer = await headers('officer');
    const routes = [
      request(platform.http).get(`/api/v1/households/${linked.id}`).query({ purpose: '核对' }).set(officer),
      request(platform.http).get(`/api/v1/households/${linked.id}`).query({ masked: 'true' }).set(officer),
      request(platform.http)
        .get('/api/v1/households')
        .set(await headers('auditor')),
      request(platform.http)
        .get('/api/v1/households')
        .set(await headers('staff')),
      request(platform.http).get(`/api/v1/households/${linked.id}/agreements`).set(officer),
      request(platform.http).get(`/api/v1/producers/${YANGGUANG}/households`).set(officer),
      request(platform.http).get('/api/v1/agreements').query({ householdId: linked.id }).set(officer),
      request(platform.http)
        .post('/api/v1/households/lookup')
        .set(officer)
        .send({ nationalId: linked.nationalId, purpose: '核对身份' }),
      request(platform.http)
        .get('/api/v1/register/access-log')
        .set(await headers('auditor')),
      request(platform.http)
        .post('/api/v1/households/import')
        .query({ dryRun: 'true', purpose: '核对' })
        .set(officer)
        .attach('file', Buffer.from(`${HEADER}\n`), 'register.csv'),
      // An error answer of a personal-data route too.
      request(platform.http).get(`/api/v1/households/${linked.id}`).set(officer),
    ];
    const answers: Record<number, string | undefined> = {};
    const expected: Record<number, string> = {};
    for (const [i, route] of routes.entries()) {
      answers[i] = (await route).headers['cache-control'];
      expected[i] = 'no-store';
    }
    expect(answers).toEqual(expected);
  });

  it('auditors see status, baseline income and the payout account last four digits', async () => {
    const res = await request(platform.http)
      .get(`/api/v1/households/${linked.id}`)
      .set(await headers('auditor'))
      .expect(200);
    expect(res.body).toMatchObject({
      masked: true,
      status: linked.status,
      baselineIncome: { fen: linked.baselineIncomeFen, currency: 'CNY' },
      payoutAccount: `****${linked.payoutAccount.slice(-4)}`,
    });
    expect(res.body.nationalId).not.toBe(linked.nationalId);
  });

  it('producer staff see the status of their linked households, no baseline income and no payout account', async () => {
    const staff = await headers('staff');
    const one = await request(platform.http).get(`/api/v1/households/${linked.id}`).set(staff).expect(200);
    const list = await request(platform.http)
      .get(`/api/v1/producers/${YANGGUANG}/households`)
      .query({ pageSize: 100 })
      .set(staff)
      .expect(200);
    const all = await request(platform.http)
      .get('/api/v1/households')
      .query({ pageSize: 100 })
      .set(staff)
      .expect(200);
    expect(one.body).toMatchObject({
      masked: true,
      status: linked.status,
      baselineIncome: null,
      payoutAccount: null,
    });
    for (const h of [...list.body.items, ...all.body.items]) {
      expect(h).toMatchObject({ masked: true, baselineIncome: null, payoutAccount: null });
      expect(typeof h.status).toBe('string');
    }
  });
});
