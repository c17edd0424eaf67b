import { demoId } from '@yugong/shared/demo';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { signIn } from './support/accounts';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

const YANGGUANG = demoId('producer', 'yangguang');
const RUIXING = demoId('producer', 'ruixing');
const ROOT = path.resolve(__dirname, '../../..');

type Role =
  'anonymous' | 'consumer' | 'institution' | 'staff' | 'otherStaff' | 'officer' | 'auditor' | 'admin';
const ROLES: Role[] = [
  'anonymous',
  'consumer',
  'institution',
  'staff',
  'otherStaff',
  'officer',
  'auditor',
  'admin',
];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function checkCharacter(first17: string): string {
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0);
  return '10X98765432'[sum % 11];
}

/** A valid national ID: area, a birth date `day` days after 1950-01-01, and the order digits. */
function nationalId(area: string, day: number, order: string): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + day * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `${area}${birth}${order}`;
  return first17 + checkCharacter(first17);
}

/** The ID with another check character. */
function wrongCheck(id: string): string {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
}

/** A valid national ID `4108…1234`, masked as 4108**********1234. */
function idEndingIn1234(): string {
  for (let day = 0; ; day++) {
    const id = nationalId('410881', day, '123');
    if (id.endsWith('4')) {
      return id;
    }
  }
}

/** Imports state why they read the register (it is recorded in the access log). */
const IMPORT_PURPOSE = '2020年动态调整';

const HEADER =
  'archiveNumber,headName,nationalId,members,townNameZh,villageNameZh,status,exitYear,baselineIncomeFen,payoutAccount,producerId,agreementKind,agreementWeight,agreementEffectiveFrom,agreementEffectiveTo';

/** Each file's rows get national IDs of their own (birth dates from this day on). */
const ID_BASE: Record<string, number> = {
  'E2E-MX': 0,
  'E2E-GOOD': 100,
  'E2E-BAD': 200,
  'E2E-Q': 300,
  'E2E-CLI': 400,
  'E2E-CLIBAD': 500,
  'E2E-BULK': 1_000,
  'E2E-HUGE': 3_000,
};

function csvRow(prefix: string, i: number, overrides: Record<string, string> = {}): string {
  const cells: Record<string, string> = {
    archiveNumber: `${prefix}-${String(i).padStart(5, '0')}`,
    headName: `测试户${i}`,
    nationalId: nationalId('410882', 10_000 + ID_BASE[prefix] + i, '700'),
    members: '3',
    townNameZh: '王屋镇',
    villageNameZh: '谭庄村',
    status: 'exited',
    exitYear: '2019',
    baselineIncomeFen: '3600000',
    payoutAccount: `62220200${String(i).padStart(8, '0')}`,
    producerId: YANGGUANG,
    agreementKind: 'supply',
    agreementWeight: '2',
    agreementEffectiveFrom: '2020-01-01',
    agreementEffectiveTo: '',
    ...overrides,
  };
  return HEADER.split(',')
    .map((c) => cells[c])
    .join(',');
}

describe('beneficiary register through the gateway', () => {
  let platform: Platform;
  let work: string;

  async function headers(role: Role): Promise<Record<string, string>> {
    return role === 'anonymous' ? {} : signIn(platform, role);
  }

  /** Uploads `csv` as the `file` of a multipart form (with a purpose unless `query` sets one) and checks the status. */
  async function importCsv(role: Role, csv: string, query: Record<string, string> = {}, status = 200) {
    const res = await request(platform.http)
      .post('/api/v1/households/import')
      .query({ purpose: IMPORT_PURPOSE, ...query })
      .set(await headers(role))
      .attach('file', Buffer.from(csv, 'utf8'), { filename: 'register.csv', contentType: 'text/csv' });
    expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.anything() });
    return res;
  }

  let wangwu: string;
  let tanzhuang: string;
  /** The household made for these tests: 王小波, linked to 阳光兔业 only. */
  let linked: { id: string; nationalId: string };
  /** A seeded household linked to 瑞星牧业 and not to 阳光兔业. */
  let unlinkedId: string;
  let agreementId: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'register-e2e-'));
    platform = await startPlatform(
      'register_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', IMPORT_MAX_FILE_BYTES: String(1_048_576) },
      { listen: true },
    );
    const officer = await headers('officer');
    const towns = await request(platform.http).get('/api/v1/towns').expect(200);
    wangwu = towns.body.items.find((t: { nameZh: string }) => t.nameZh === '王屋镇').id;
    const villages = await request(platform.http)
      .get(`/api/v1/towns/${wangwu}/villages`)
      .query({ pageSize: 100 })
      .expect(200);
    tanzhuang = villages.body.items.find((v: { nameZh: string }) => v.nameZh === '谭庄村').id;

    const id = idEndingIn1234();
    const created = await request(platform.http)
      .post('/api/v1/households')
      .set(officer)
      .send({
        archiveNumber: 'E2E-MASK-0001',
        headName: '王小波',
        nationalId: id,
        members: 4,
        villageId: tanzhuang,
        status: 'monitored_edge',
        baselineIncomeFen: 3_800_000,
        payoutAccount: '6222021234567890',
      })
      .expect(201);
    linked = { id: created.body.id, nationalId: id };
    const agreement = await request(platform.http)
      .post('/api/v1/agreements')
      .set(officer)
      .send({
        producerId: YANGGUANG,
        householdId: linked.id,
        kind: 'supply',
        weight: 3,
        effectiveFrom: '2020-01-01',
      })
      .expect(201);
    agreementId = agreement.body.id;

    const ruixing = await request(platform.http)
      .get('/api/v1/households')
      .query({ producerId: RUIXING, pageSize: 100 })
      .set(officer)
      .expect(200);
    const yangguang = await request(platform.http)
      .get('/api/v1/households')
      .query({ producerId: YANGGUANG, pageSize: 100 })
      .set(officer)
      .expect(200);
    const ofYangguang = new Set(yangguang.body.items.map((h: { id: string }) => h.id));
    unlinkedId = ruixing.body.items.find((h: { id: string }) => !ofYangguang.has(h.id)).id;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    if (work) {
      rmSync(work, { recursive: true, force: true });
    }
  });

  describe('role × route matrix', () => {
    const ALL = 200;
    const READERS = { anonymous: 401, consumer: 403, institution: 403 } as const;
    const OFFICE_ONLY = {
      anonymous: 401,
      consumer: 403,
      institution: 403,
      staff: 403,
      otherStaff: 403,
      auditor: 403,
    } as const;
    let serial = 0;

    interface Route {
      name: string;
      send: (h: Record<string, string>) => request.Test;
      expected: Partial<Record<Role, number>>;
      otherwise: number;
    }

    const routes: Route[] = [
      {
        name: 'GET /towns',
        send: (h) => request(platform.http).get('/api/v1/towns').set(h),
        expected: {},
        otherwise: ALL,
      },
      {
        name: 'GET /towns/:id/villages',
        send: (h) => request(platform.http).get(`/api/v1/towns/${wangwu}/villages`).set(h),
        expected: {},
        otherwise: ALL,
      },
      {
        name: 'GET /villages',
        send: (h) => request(platform.http).get('/api/v1/villages').query({ townId: wangwu }).set(h),
        expected: {},
        otherwise: ALL,
      },
      {
        name: 'GET /register/summary',
        send: (h) => request(platform.http).get('/api/v1/register/summary').set(h),
        expected: {},
        otherwise: ALL,
      },
      {
        name: 'GET /register/access-log',
        send: (h) => request(platform.http).get('/api/v1/register/access-log').set(h),
        expected: { ...READERS, staff: 403, otherStaff: 403 },
        otherwise: 200,
      },
      {
        name: 'GET /households',
        send: (h) => request(platform.http).get('/api/v1/households').set(h),
        expected: READERS,
        otherwise: 200,
      },
      {
        name: 'GET /households/:id (linked to 阳光兔业)',
        send: (h) =>
          request(platform.http).get(`/api/v1/households/${linked.id}`).query({ purpose: '核对名单' }).set(h),
        expected: { ...READERS, otherStaff: 404 },
        otherwise: 200,
      },
      {
        name: "GET /households/:id (another producer's)",
        send: (h) =>
          request(platform.http)
            .get(`/api/v1/households/${unlinkedId}`)
            .query({ purpose: '核对名单' })
            .set(h),
        expected: { ...READERS, staff: 404 },
        otherwise: 200,
      },
      {
        name: 'GET /households/:id/agreements',
        send: (h) => request(platform.http).get(`/api/v1/households/${linked.id}/agreements`).set(h),
        expected: READERS,
        otherwise: 200,
      },
      {
        name: 'POST /households',
        send: (h) =>
          request(platform.http)
            .post('/api/v1/households')
            .set(h)
            .send({
              archiveNumber: `E2E-MATRIX-${++serial}`,
              headName: '李四',
              nationalId: nationalId('410883', 20_000 + serial, '456'),
              members: 2,
              villageId: tanzhuang,
            }),
        expected: OFFICE_ONLY,
        otherwise: 201,
      },
      {
        name: 'PATCH /households/:id/status',
        send: (h) =>
          request(platform.http)
            .patch(`/api/v1/households/${linked.id}/status`)
            .set(h)
            .send({ status: 'monitored_edge' }),
        expected: OFFICE_ONLY,
        otherwise: 200,
      },
      {
        name: 'POST /households/lookup',
        send: (h) =>
          request(platform.http)
            .post('/api/v1/households/lookup')
            .set(h)
            .send({ nationalId: linked.nationalId, purpose: '核对身份' }),
        expected: OFFICE_ONLY,
        otherwise: 200,
      },
      {
        name: 'POST /households/import',
        send: (h) =>
          request(platform.http)
            .post('/api/v1/households/import')
            .query({ dryRun: 'true', purpose: IMPORT_PURPOSE })
            .set(h)
            .attach('file', Buffer.from(`${HEADER}\n${csvRow('E2E-MX', 1)}\n`), 'register.csv'),
        expected: OFFICE_ONLY,
        otherwise: 200,
      },
      {
        name: 'POST /agreements',
        send: (h) =>
          request(platform.http)
            .post('/api/v1/agreements')
            .set(h)
            .send({
              producerId: RUIXING,
              householdId: linked.id,
              kind: 'employment',
              weight: 1,
              effectiveFrom: `${2000 + ++serial}-01-01`,
              effectiveTo: `${2000 + serial}-06-01`,
            }),
        expected: OFFICE_ONLY,
        otherwise: 201,
      },
      {
        name: 'GET /agreements?producerId=阳光兔业',
        send: (h) => request(platform.http).get('/api/v1/agreements').query({ producerId: YANGGUANG }).set(h),
        expected: { ...READERS, otherStaff: 403 },
        otherwise: 200,
      },
      {
        name: 'POST /agreements/:id/end',
        send: (h) =>
          request(platform.http)
            .post(`/api/v1/agreements/${agreementId}/end`)
            .set(h)
            .send({ effectiveTo: '2030-01-01' }),
        expected: OFFICE_ONLY,
        otherwise: 200,
      },
      {
        name: 'GET /producers/阳光兔业/households',
        send: (h) => request(platform.http).get(`/api/v1/producers/${YANGGUANG}/households`).set(h),
        expected: { ...READERS, otherStaff: 403 },
        otherwise: 200,
      },
      {
        name: 'GET /producers/阳光兔业/benefit-shares',
        send: (h) =>
          request(platform.http)
            .get(`/api/v1/producers/${YANGGUANG}/benefit-shares`)
            .query({ asOf: '2020-05-16T12:00:00+08:00' })
            .set(h),
        expected: { ...READERS, staff: 403, otherStaff: 403 },
        otherwise: 200,
      },
    ];

    it.each(routes.map((r) => [r.name, r] as const))('%s', async (_name, route) => {
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const role of ROLES) {
        const res = await route.send(await headers(role));
        got[role] = res.status;
        want[role] = route.expected[role] ?? route.otherwise;
        if (res.status >= 400) {
          expect(res.body).toEqual(expect.objectContaining({ error: expect.any(String) }));
        }
      }
      expect(got).toEqual(want);
    });
  });

  describe('what each role sees', () => {
    it('shows the relief office the household in full on a stated read, everyone else masked', async () => {
      const full = await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .query({ purpose: '核对2020年分红发放名单' })
        .set(await headers('officer'))
        .expect(200);
      expect(full.body).toMatchObject({
        headName: '王小波',
        nationalId: linked.nationalId,
        payoutAccount: '6222021234567890',
        masked: false,
        townNameZh: '王屋镇',
        villageNameZh: '谭庄村',
        baselineIncome: { fen: 3_800_000, currency: 'CNY' },
      });
      // Producer staff see no payout account at all (see security-register.e2e-spec.ts).
      for (const [role, payoutAccount] of [
        ['auditor', '****7890'],
        ['staff', null],
      ] as const) {
        const res = await request(platform.http)
          .get(`/api/v1/households/${linked.id}`)
          .set(await headers(role))
          .expect(200);
        expect(res.body).toMatchObject({
          headName: '王*波',
          nationalId: '4108**********1234',
          payoutAccount,
          masked: true,
          members: 4,
        });
      }
      const asked = await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .query({ masked: 'true' })
        .set(await headers('officer'))
        .expect(200);
      expect(asked.body).toMatchObject({ headName: '王*波', masked: true });
    });

    it('lists households masked for every role, and producer staff only their own', async () => {
      const officer = await request(platform.http)
        .get('/api/v1/households')
        .query({ archiveNumber: 'E2E-MASK' })
        .set(await headers('officer'))
        .expect(200);
      expect(officer.body.items).toEqual([
        expect.objectContaining({ headName: '王*波', nationalId: '4108**********1234', masked: true }),
      ]);
      const all = await request(platform.http)
        .get('/api/v1/households')
        .query({ pageSize: 1 })
        .set(await headers('auditor'))
        .expect(200);
      expect(all.body.total).toBeGreaterThanOrEqual(2_073);
      const own = await request(platform.http)
        .get('/api/v1/households')
        .query({ pageSize: 100 })
        .set(await headers('staff'))
        .expect(200);
      const linkedToYangguang = await request(platform.http)
        .get(`/api/v1/producers/${YANGGUANG}/households`)
        .query({ pageSize: 1 })
        .set(await headers('officer'))
        .expect(200);
      expect(own.body.total).toBe(linkedToYangguang.body.total);
      expect(own.body.items.every((h: { masked: boolean }) => h.masked)).toBe(true);
      expect(own.body.items.map((h: { id: string }) => h.id)).not.toContain(unlinkedId);
      const ruixing = await request(platform.http)
        .get('/api/v1/households')
        .query({ producerId: RUIXING })
        .set(await headers('staff'))
        .expect(403);
      expect(ruixing.body.error).toBe('PERMISSION_DENIED');
    });

    it('requires officers to state a purpose for the unmasked view', async () => {
      const res = await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .set(await headers('officer'))
        .expect(400);
      expect(res.body.fields).toEqual([{ field: 'purpose', reason: expect.stringContaining('required') }]);
    });

    it('shows consumers and the public counts and village names, never a person', async () => {
      const summary = await request(platform.http).get('/api/v1/register/summary').expect(200);
      expect(summary.body).toMatchObject({ registeredPoorVillages: 59 });
      expect(summary.body.households).toBeGreaterThanOrEqual(2_073);
      expect(summary.body.towns.map((t: { nameZh: string }) => t.nameZh)).toContain('王屋镇');
      expect(JSON.stringify(summary.body)).not.toContain('王小波');
      const villages = await request(platform.http)
        .get('/api/v1/villages')
        .query({ townId: wangwu, registeredPoorOnly: 'true' })
        .expect(200);
      expect(villages.body.items.map((v: { nameZh: string }) => v.nameZh)).toContain('谭庄村');
      const household = await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .set(await headers('consumer'))
        .expect(403);
      expect(household.body.error).toBe('PERMISSION_DENIED');
    });

    it('records every unmasked read in the access log an auditor lists', async () => {
      const purpose = `复核监测户 ${Date.now()}`;
      await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .query({ purpose })
        .set(await headers('officer'))
        .expect(200);
      const found = await request(platform.http)
        .post('/api/v1/households/lookup')
        .set(await headers('officer'))
        .send({ nationalId: linked.nationalId, purpose: `${purpose} (by ID)` })
        .expect(200);
      expect(found.body.household).toMatchObject({ id: linked.id, headName: '王小波', masked: false });
      // Masked reads are not recorded.
      await request(platform.http)
        .get(`/api/v1/households/${linked.id}`)
        .set(await headers('auditor'))
        .expect(200);
      const log = await request(platform.http)
        .get('/api/v1/register/access-log')
        .query({ householdId: linked.id, pageSize: 100 })
        .set(await headers('auditor'))
        .expect(200);
      const me = await request(platform.http)
        .get('/api/v1/me')
        .set(await headers('officer'))
        .expect(200);
      const entries = log.body.items as { purpose: string; userId: string; action: string; role: string }[];
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            purpose,
            userId: me.body.id,
            role: 'relief_officer',
            action: 'GetHousehold',
          }),
          expect.objectContaining({ purpose: `${purpose} (by ID)`, action: 'FindHouseholdByNationalId' }),
        ]),
      );
      expect(entries.every((e) => e.role !== 'auditor')).toBe(true);
      expect(JSON.stringify(log.body)).not.toContain(linked.nationalId);
    });

    it('answers benefit shares as of an instant, at the boundaries of an agreement', async () => {
      const officer = await headers('officer');
      const household = await request(platform.http)
        .post('/api/v1/households')
        .set(officer)
        .send({
          archiveNumber: 'E2E-SHARE-0001',
          headName: '赵六',
          nationalId: nationalId('410884', 9_000, '321'),
          members: 3,
          villageId: tanzhuang,
        })
        .expect(201);
      const agreement = await request(platform.http)
        .post('/api/v1/agreements')
        .set(officer)
        .send({
          producerId: RUIXING,
          householdId: household.body.id,
          kind: 'dividend',
          weight: 7,
          effectiveFrom: '2021-03-01',
          effectiveTo: '2021-09-01',
        })
        .expect(201);
      const sharesAt = async (asOf: string) =>
        (
          await request(platform.http)
            .get(`/api/v1/producers/${RUIXING}/benefit-shares`)
            .query({ asOf })
            .set(await headers('auditor'))
            .expect(200)
        ).body as { shares: { agreementId: string; weight: number; kind: string }[]; totalWeight: number };
      const holds = (s: Awaited<ReturnType<typeof sharesAt>>) =>
        s.shares.some((x) => x.agreementId === agreement.body.id);
      expect(holds(await sharesAt('2021-02-28T23:59:59+08:00'))).toBe(false);
      const first = await sharesAt('2021-03-01T00:00:00+08:00');
      expect(first.shares).toContainEqual(
        expect.objectContaining({ agreementId: agreement.body.id, weight: 7, kind: 'dividend' }),
      );
      expect(first.totalWeight).toBe(first.shares.reduce((s, x) => s + x.weight, 0));
      expect(holds(await sharesAt('2021-08-31T23:59:59+08:00'))).toBe(true);
      expect(holds(await sharesAt('2021-09-01T00:00:00+08:00'))).toBe(false);

      const ended = await request(platform.http)
        .post(`/api/v1/agreements/${agreement.body.id}/end`)
        .set(officer)
        .send({ effectiveTo: '2021-06-01' })
        .expect(200);
      expect(ended.body).toMatchObject({ effectiveTo: '2021-06-01', kind: 'dividend' });
      expect(holds(await sharesAt('2021-06-01T00:00:00+08:00'))).toBe(false);
      const overlap = await request(platform.http)
        .post('/api/v1/agreements')
        .set(officer)
        .send({
          producerId: RUIXING,
          householdId: household.body.id,
          kind: 'dividend',
          weight: 1,
          effectiveFrom: '2021-05-01',
        })
        .expect(409);
      expect(overlap.body.fields[0].field).toBe('effectiveFrom');
    });
  });

  it('documents the register routes, the import as multipart/form-data', async () => {
    const doc = await request(platform.http).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/towns',
        '/api/v1/households',
        '/api/v1/households/{id}',
        '/api/v1/agreements',
        '/api/v1/producers/{id}/households',
        '/api/v1/producers/{id}/benefit-shares',
        '/api/v1/register/access-log',
        '/api/v1/register/summary',
      ]),
    );
    const upload = doc.body.paths['/api/v1/households/import'].post.requestBody.content;
    expect(upload['multipart/form-data'].schema.required).toEqual(['file']);
  });

  describe('bad input', () => {
    it('rejects unknown fields and bad values with 400 naming each field', async () => {
      const officer = await headers('officer');
      const unknown = await request(platform.http)
        .post('/api/v1/households')
        .set(officer)
        .send({
          archiveNumber: 'E2E-INVALID-1',
          headName: '钱七',
          nationalId: nationalId('410885', 1, '001'),
          members: 2,
          villageId: tanzhuang,
          colour: 'red',
        })
        .expect(400);
      expect(unknown.body.fields).toEqual([{ field: 'colour', reason: expect.any(String) }]);
      const bad = await request(platform.http)
        .post('/api/v1/households')
        .set(officer)
        .send({ archiveNumber: '', headName: '钱七', nationalId: '12345', members: 0, villageId: 'x' })
        .expect(400);
      expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(
        ['archiveNumber', 'members', 'nationalId', 'villageId'].sort(),
      );
      const wrong = wrongCheck(nationalId('410885', 2, '001'));
      const check = await request(platform.http)
        .post('/api/v1/households')
        .set(officer)
        .send({
          archiveNumber: 'E2E-INVALID-2',
          headName: '钱七',
          nationalId: wrong,
          members: 2,
          villageId: tanzhuang,
        })
        .expect(400);
      expect(check.body.fields).toEqual([{ field: 'nationalId', reason: expect.stringContaining('check') }]);
      const status = await request(platform.http)
        .patch(`/api/v1/households/${linked.id}/status`)
        .set(officer)
        .send({ status: 'exited' })
        .expect(400);
      expect(status.body.fields).toEqual([{ field: 'exitYear', reason: expect.any(String) }]);
      const query = await request(platform.http)
        .get('/api/v1/households')
        .query({ status: 'poor', pageSize: 500 })
        .set(officer)
        .expect(400);
      expect(query.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['pageSize', 'status']);
      const asOf = await request(platform.http)
        .get(`/api/v1/producers/${RUIXING}/benefit-shares`)
        .query({ asOf: 'yesterday' })
        .set(officer)
        .expect(400);
      expect(asOf.body.fields).toEqual([{ field: 'asOf', reason: expect.any(String) }]);
      const agreements = await request(platform.http).get('/api/v1/agreements').set(officer).expect(400);
      expect(agreements.body.fields[0].field).toBe('householdId');
      await request(platform.http)
        .get('/api/v1/households/00000000-0000-4000-8000-00000000dead')
        .query({ purpose: '核对' })
        .set(officer)
        .expect(404);
    });
  });

  describe('CSV import', () => {
    async function archives(prefix: string): Promise<{ total: number; items: { members: number }[] }> {
      const res = await request(platform.http)
        .get('/api/v1/households')
        .query({ archiveNumber: prefix, pageSize: 100 })
        .set(await headers('officer'))
        .expect(200);
      return res.body;
    }

    it('imports a good file, and a re-import updates rather than duplicates', async () => {
      const rows = [1, 2, 3].map((i) => csvRow('E2E-GOOD', i));
      const first = await importCsv('officer', [HEADER, ...rows, ''].join('\n'));
      expect(first.body).toEqual({
        rowsRead: 3,
        householdsCreated: 3,
        householdsUpdated: 0,
        agreementsCreated: 3,
        rejected: [],
        committed: true,
        partial: false,
        dryRun: false,
      });
      const again = [1, 2, 3].map((i) => csvRow('E2E-GOOD', i, { members: '5' }));
      const second = await importCsv('officer', [HEADER, ...again].join('\r\n'));
      expect(second.body).toMatchObject({
        householdsCreated: 0,
        householdsUpdated: 3,
        agreementsCreated: 0,
        rejected: [],
        committed: true,
      });
      const stored = await archives('E2E-GOOD');
      expect(stored.total).toBe(3);
      expect(stored.items.every((h) => h.members === 5)).toBe(true);
    });

    const badFile = (prefix = 'E2E-BAD') =>
      [
        HEADER,
        csvRow(prefix, 1),
        csvRow(prefix, 2, { nationalId: wrongCheck(nationalId('410882', 9_999, '700')) }),
        csvRow(prefix, 3, { members: 'three' }),
        csvRow(prefix, 4, { status: 'poor', agreementWeight: '1.5' }),
        csvRow(prefix, 5, { villageNameZh: '无此村' }),
      ].join('\n');

    it('reports every bad row by line, column and reason, and writes nothing', async () => {
      const res = await importCsv('officer', badFile());
      expect(res.body).toMatchObject({ committed: false, rowsRead: 5, householdsCreated: 0 });
      expect(res.body.rejected).toEqual([
        { line: 3, field: 'nationalId', reason: expect.stringContaining('check') },
        { line: 4, field: 'members', reason: 'must be a whole number' },
        { line: 5, field: 'status', reason: expect.stringContaining('must be one of') },
        { line: 5, field: 'agreementWeight', reason: 'must be a whole number' },
        { line: 6, field: 'villageNameZh', reason: expect.any(String) },
      ]);
      expect((await archives('E2E-BAD')).total).toBe(0);
    });

    it('commits the good rows in partial mode and reports the bad ones', async () => {
      const dry = await importCsv('officer', badFile(), { partial: 'true', dryRun: 'true' }, 200);
      expect(dry.body).toMatchObject({ committed: false, householdsCreated: 1, dryRun: true });
      expect((await archives('E2E-BAD')).total).toBe(0);
      const res = await importCsv('officer', badFile(), { partial: 'true' }, 200);
      expect(res.body).toMatchObject({ committed: true, householdsCreated: 1, agreementsCreated: 1 });
      expect(res.body.rejected.map((r: { line: number }) => r.line)).toEqual([3, 4, 5, 5, 6]);
      expect((await archives('E2E-BAD')).total).toBe(1);
    });

    it('takes the documented sample file as it is', async () => {
      const sample = readFileSync(path.join(ROOT, 'docs/register-import-sample.csv'), 'utf8');
      const res = await importCsv('officer', sample, { dryRun: 'true' });
      expect(res.body).toMatchObject({
        rowsRead: 4,
        householdsCreated: 3,
        agreementsCreated: 3,
        rejected: [],
        committed: false,
        dryRun: true,
      });
    });

    it('streams a file of several batches', async () => {
      const rows = Array.from({ length: 1_234 }, (_, i) =>
        csvRow('E2E-BULK', i, {
          producerId: '',
          agreementKind: '',
          agreementWeight: '',
          agreementEffectiveFrom: '',
        }),
      );
      const res = await importCsv('officer', [HEADER, ...rows].join('\n'));
      expect(res.body).toMatchObject({ rowsRead: 1_234, householdsCreated: 1_234, committed: true });
      expect((await archives('E2E-BULK')).total).toBe(1_234);
    });

    it('refuses a file whose first line does not name register columns, or is not multipart', async () => {
      const unknown = await importCsv('officer', 'archive_number,head_name,colour\nA,B,C\n', {}, 400);
      expect(unknown.body.fields).toEqual(
        expect.arrayContaining([
          { field: 'colour', reason: expect.stringContaining('not a register column') },
          { field: 'nationalId', reason: expect.stringContaining('required column') },
        ]),
      );
      const empty = await importCsv('officer', '', {}, 400);
      expect(empty.body.fields).toEqual([{ field: 'file', reason: expect.stringContaining('empty') }]);
      const quote = await importCsv('officer', `${HEADER}\n"unclosed,${csvRow('E2E-Q', 1)}\n`, {}, 400);
      expect(quote.body.fields[0].field).toBe('file');
      const json = await request(platform.http)
        .post('/api/v1/households/import')
        .query({ purpose: IMPORT_PURPOSE })
        .set(await headers('officer'))
        .send({ rows: [] })
        .expect(415);
      expect(json.body.error).toBe('UNSUPPORTED_MEDIA_TYPE');
      const field = await request(platform.http)
        .post('/api/v1/households/import')
        .query({ purpose: IMPORT_PURPOSE })
        .set(await headers('officer'))
        .attach('upload', Buffer.from(HEADER), 'register.csv')
        .expect(400);
      expect(field.body.fields).toEqual([{ field: 'upload', reason: expect.any(String) }]);
      const flag = await importCsv('officer', HEADER, { partial: 'yes' }, 400);
      expect(flag.body.fields).toEqual([{ field: 'partial', reason: 'must be true or false' }]);
    });

    it('imports with the CLI, with a report of bad rows and a non-zero exit code', async () => {
      const good = path.join(work, 'good.csv');
      writeFileSync(good, [HEADER, ...[1, 2].map((i) => csvRow('E2E-CLI', i))].join('\n'));
      const bad = path.join(work, 'bad.csv');
      writeFileSync(bad, badFile('E2E-CLIBAD'));
      const run = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            [
              path.join(ROOT, 'tools/register/import.mjs'),
              ...args,
              '--url',
              `http://127.0.0.1:${platform.gatewayPort}`,
              '--email',
              'officer@example.com',
              '--purpose',
              IMPORT_PURPOSE,
            ],
            { env: { ...process.env, DEMO_PASSWORD }, timeout: 60_000 },
            (error, stdout, stderr) =>
              resolve({
                code: error ? Number(error.code ?? 1) : 0,
                stdout: String(stdout),
                stderr: String(stderr),
              }),
          );
        });
      const header = path.join(work, 'header.csv');
      writeFileSync(header, `archive,name\n${'JY-1,王小波\n'.repeat(200_000)}`);
      const refused = await run(header);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/archive: is not a register column/);
      const huge = path.join(work, 'huge.csv');
      writeFileSync(huge, `${HEADER}\n${`${csvRow('E2E-HUGE', 1)}\n`.repeat(7_000)}`);
      const tooLarge = await run(huge, '--dry-run');
      expect(tooLarge.code).toBe(2);
      expect(tooLarge.stderr).toMatch(/413 PAYLOAD_TOO_LARGE/);

      const ok = await run(good);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/2 created/);
      expect((await archives('E2E-CLI-')).total).toBe(2);

      const failed = await run(bad);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/line 3\s+nationalId/);
      expect(failed.stdout).toMatch(/line 4\s+members\s+must be a whole number/);
      expect(failed.stdout).toMatch(/nothing written/i);
      expect((await archives('E2E-CLIBAD')).total).toBe(0);
    });
  });
});
