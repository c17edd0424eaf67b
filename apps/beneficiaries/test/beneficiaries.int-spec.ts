import * as grpc from '@grpc/grpc-js';
import { DEMO_REGISTER_FIGURES, demoId, demoRegister, demoSupplierHouseholds } from '@yugong/shared/demo';
import { beneficiaries } from '@yugong/contracts';
import {
  createTestDatabase,
  errorDetails,
  expectRejection,
  freePort,
  type Received,
  type Sent,
  type TestDatabase,
} from '@yugong/shared/testing';
import { Client } from 'pg';
import { startBeneficiaries, type RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { beneficiariesConfig } from '../src/config/beneficiaries.config';
import {
  AUDITOR,
  CONSUMER,
  INSTITUTION,
  LogCapture,
  nationalIdFor,
  OFFICER,
  registerClient,
  type RegisterClient,
  staffOf,
  testEnv,
} from './support/harness';

const YANGGUANG = demoId('producer', 'yangguang');
const RUIXING = demoId('producer', 'ruixing');
const TEST_PRODUCER = '11111111-2222-4333-8444-555555555555';
const wrongCheck = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
const DISTINCT_NAME = '测试户主甲乙';
/** Imports state why they read the register (recorded with every household they match). */
const IMPORT_PURPOSE = 'register import test';

describe('beneficiaries over gRPC', () => {
  let db: TestDatabase;
  let running: RunningBeneficiaries;
  let client: RegisterClient;
  let sql: Client;
  const logs = new LogCapture();
  let seedMs = 0;
  let wangwuVillage: string;

  beforeAll(async () => {
    db = await createTestDatabase('beneficiaries');
    const port = await freePort();
    const started = Date.now();
    running = (await startBeneficiaries(
      beneficiariesConfig(testEnv(db.url, port, { SEED_DEMO: 'true', LOG_LEVEL: 'trace' })),
      { logDestination: logs },
    ))!;
    seedMs = Date.now() - started;
    client = registerClient(port);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    wangwuVillage = demoRegister().villages.find((v) => v.nameZh === '谭庄村')!.id;
  }, 60_000);

  afterAll(async () => {
    if (process.env['SHOW_LOGS']) {
      console.log(logs.text.slice(-5000));
    }
    client?.close();
    await sql?.end();
    await running?.close();
    await db?.drop();
  });

  /** `read()`'s answer once `done` holds of it, or its last answer after 5 s. */
  const soon = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 5_000;
    let value = await read();
    while (!done(value) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await read();
    }
    return value;
  };

  const count = async (query: string, params: unknown[] = []) =>
    Number((await sql.query(query, params)).rows[0].n);

  describe('the seeded Jiyuan register', () => {
    it('boots, migrates and seeds 2,073 households quickly, with the reported figures', async () => {
      console.log(`beneficiaries boot with demo seed: ${seedMs} ms`);
      expect(seedMs).toBeLessThan(15_000);
      const summary = await client.call('getRegisterSummary', {});
      expect(summary.households).toBe(DEMO_REGISTER_FIGURES.households);
      expect(summary.people).toBe(DEMO_REGISTER_FIGURES.people);
      expect(summary.registeredPoorVillages).toBe(59);
      expect(summary.peopleLinked).toBe(DEMO_REGISTER_FIGURES.linkedPeople);
      expect(summary.towns.map((t) => t.nameZh)).toContain('王屋镇');
    });

    it('is idempotent: seeding again creates nothing', async () => {
      const port = await freePort();
      const again = (await startBeneficiaries(
        beneficiariesConfig(testEnv(db.url, port, { SEED_DEMO: 'true' })),
      ))!;
      await again.close();
      expect(await count('select count(*) as n from household')).toBe(DEMO_REGISTER_FIGURES.households);
    });

    it('lists towns and villages to anyone, 谭庄村 among 王屋镇 villages', async () => {
      const { towns } = await client.call('listTowns', {});
      const wangwu = towns.find((t) => t.nameZh === '王屋镇')!;
      const { villages, page } = await client.call(
        'listVillages',
        { townId: wangwu.id, page: { pageSize: 100 } },
        CONSUMER,
      );
      expect(villages.map((v) => v.nameZh)).toContain('谭庄村');
      expect(page.total).toBe(wangwu.villageCount);
    });

    it('links supplier households to the demo producers with supply agreements', async () => {
      const suppliers = demoSupplierHouseholds('yangguang').slice(0, 3);
      const res = await client.call(
        'validateSuppliers',
        {
          producerId: YANGGUANG,
          householdIds: suppliers,
        },
        'service',
        { from: 'catalog' },
      );
      expect(res.allOk).toBe(true);
    });
  });

  describe('household reads by role', () => {
    let household: Received<beneficiaries.Household>;
    let linked: string;

    beforeAll(async () => {
      const created = await client.call(
        'createHousehold',
        {
          archiveNumber: 'T-0001',
          headName: DISTINCT_NAME,
          nationalId: nationalIdFor(1),
          members: 3,
          villageId: wangwuVillage,
          baselineIncome: { fen: 3_000_000 },
          payoutAccount: '6222020200112233445',
        },
        OFFICER,
      );
      household = created.household;
      linked = demoSupplierHouseholds('ruixing')[0];
    });

    it('masks the answer to the creating officer and refuses a bad national ID', async () => {
      expect(household.masked).toBe(true);
      expect(household.headName).toBe('测****乙');
      const bad = await expectRejection(
        client.call(
          'createHousehold',
          {
            archiveNumber: 'T-0002',
            headName: '李四',
            nationalId: wrongCheck(nationalIdFor(2)),
            members: 1,
            villageId: wangwuVillage,
          },
          OFFICER,
        ),
      );
      expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
      const dup = await expectRejection(
        client.call(
          'createHousehold',
          {
            archiveNumber: 'T-0003',
            headName: '李四',
            nationalId: nationalIdFor(1),
            members: 1,
            villageId: wangwuVillage,
          },
          OFFICER,
        ),
      );
      expect(dup.code).toBe(grpc.status.ALREADY_EXISTS);
      const none = await expectRejection(
        client.call(
          'createHousehold',
          {
            archiveNumber: 'T-0004',
            headName: '李四',
            nationalId: nationalIdFor(4),
            members: 0,
            villageId: wangwuVillage,
          },
          OFFICER,
        ),
      );
      expect(JSON.parse(String(none.metadata.get('x-error-fields')[0]))).toEqual([
        { field: 'members', reason: 'must be at least 1' },
      ]);
    });

    it('gives the officer the full record only with a purpose, and logs the read', async () => {
      const noPurpose = await expectRejection(client.call('getHousehold', { id: household.id }, OFFICER));
      expect(noPurpose.code).toBe(grpc.status.INVALID_ARGUMENT);
      const before = await count('select count(*) as n from pii_access where household_id = $1', [
        household.id,
      ]);
      const { household: full } = await client.call(
        'getHousehold',
        { id: household.id, purpose: 'payout verification' },
        OFFICER,
      );
      expect(full).toMatchObject({
        masked: false,
        headName: DISTINCT_NAME,
        nationalId: nationalIdFor(1),
        payoutAccount: '6222020200112233445',
      });
      expect(
        await count('select count(*) as n from pii_access where household_id = $1', [household.id]),
      ).toBe(before + 1);
      const masked = await client.call('getHousehold', { id: household.id, masked: true }, OFFICER);
      expect(masked.household.masked).toBe(true);
      expect(
        await count('select count(*) as n from pii_access where household_id = $1', [household.id]),
      ).toBe(before + 1);
    });

    it('gives the auditor a masked record and the access log', async () => {
      const { household: seen } = await client.call(
        'getHousehold',
        { id: household.id, purpose: 'audit' },
        AUDITOR,
      );
      expect(seen).toMatchObject({ masked: true, headName: '测****乙', payoutAccount: '****3445' });
      expect(seen.nationalId).toBe(`${nationalIdFor(1).slice(0, 4)}**********${nationalIdFor(1).slice(-4)}`);
      const log = await client.call('listPiiAccess', { householdId: household.id }, AUDITOR);
      expect(log.entries[0]).toMatchObject({
        userId: OFFICER.userId,
        householdId: household.id,
        purpose: 'payout verification',
      });
      const denied = await expectRejection(client.call('listPiiAccess', {}, CONSUMER));
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('shows producer staff only households linked to their producers, masked', async () => {
      const staff = staffOf(RUIXING);
      const { household: seen } = await client.call('getHousehold', { id: linked }, staff);
      expect(seen.masked).toBe(true);
      const other = await expectRejection(client.call('getHousehold', { id: household.id }, staff));
      expect(other.code).toBe(grpc.status.NOT_FOUND);
      const list = await client.call('listHouseholds', { page: { pageSize: 100 } }, staff);
      const ruixingLinked = demoRegister().agreements.filter((a) => a.producerId === RUIXING).length;
      expect(list.page.total).toBe(ruixingLinked);
      expect(list.households.every((h) => h.masked)).toBe(true);
      const foreign = await expectRejection(client.call('listHouseholds', { producerId: YANGGUANG }, staff));
      expect(foreign.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('refuses household reads to consumers, institutions and the public', async () => {
      for (const caller of [CONSUMER, INSTITUTION, null]) {
        for (const [method, request] of [
          ['getHousehold', { id: household.id, purpose: 'x' }],
          ['listHouseholds', {}],
          ['findHouseholdByNationalId', { nationalId: nationalIdFor(1), purpose: 'x' }],
        ] as const) {
          const error = await expectRejection(client.call(method, request, caller));
          expect(error.code).toBe(caller ? grpc.status.PERMISSION_DENIED : grpc.status.UNAUTHENTICATED);
        }
      }
    });

    it('finds a household by national ID through the keyed hash, logged', async () => {
      const found = await client.call(
        'findHouseholdByNationalId',
        { nationalId: nationalIdFor(1), purpose: 'duplicate check' },
        OFFICER,
      );
      expect(found.household?.id).toBe(household.id);
      const missing = await client.call(
        'findHouseholdByNationalId',
        { nationalId: nationalIdFor(999), purpose: 'duplicate check' },
        OFFICER,
      );
      expect(missing.household).toBeNull();
    });

    it('filters lists by village, status and archive number prefix', async () => {
      const res = await client.call(
        'listHouseholds',
        { archiveNumberPrefix: 'T-', villageId: wangwuVillage },
        AUDITOR,
      );
      expect(res.households.map((h) => h.archiveNumber)).toEqual(['T-0001']);
      const updated = await client.call(
        'updateHouseholdStatus',
        { id: household.id, status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_MONITORED_EDGE },
        OFFICER,
      );
      expect(updated.household.status).toBe('HOUSEHOLD_STATUS_MONITORED_EDGE');
      const exited = await expectRejection(
        client.call(
          'updateHouseholdStatus',
          { id: household.id, status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_EXITED },
          OFFICER,
        ),
      );
      expect(exited.code).toBe(grpc.status.INVALID_ARGUMENT);
      const edge = await client.call(
        'listHouseholds',
        { archiveNumberPrefix: 'T-', status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_MONITORED_EDGE },
        OFFICER,
      );
      expect(edge.households).toHaveLength(1);
    });
  });

  describe('household lists deep enough to make OFFSET expensive', () => {
    it('refuses a deep page naming page, and the page at the limit still answers', async () => {
      const deep = await expectRejection(
        client.call('listHouseholds', { page: { page: 101, pageSize: 100 } }, AUDITOR),
        'VALIDATION_FAILED',
      );
      expect(deep.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorDetails(deep).fields).toEqual([
        { field: 'page.page', reason: expect.stringContaining('nextCursor') },
      ]);
      const last = await client.call('listHouseholds', { page: { page: 100, pageSize: 100 } }, AUDITOR);
      expect(last.households).toEqual([]);
      const forged = await expectRejection(
        client.call('listHouseholds', { cursor: 'not-a-cursor' }, AUDITOR),
        'VALIDATION_FAILED',
      );
      expect(errorDetails(forged).fields.map((f) => f.field)).toEqual(['cursor']);
    });

    it('walks every household exactly once, in archive-number order, by the cursor', async () => {
      const { rows } = await sql.query<{ archive_number: string }>(
        'select archive_number from household order by archive_number',
      );
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      do {
        const res = await client.call('listHouseholds', { page: { pageSize: 100 }, cursor }, AUDITOR);
        expect(res.page.total).toBe(rows.length);
        seen.push(...res.households.map((h) => h.archiveNumber));
        cursor = res.nextCursor;
        pages++;
      } while (cursor);

      expect(seen).toEqual(rows.map((r) => r.archive_number));
      expect(pages).toBe(Math.ceil(rows.length / 100));
      // Producer staff walk only their own households, the same way.
      const staff = staffOf(YANGGUANG);
      const first = await client.call('listHouseholds', { page: { pageSize: 5 } }, staff);
      const next = await client.call(
        'listHouseholds',
        { page: { pageSize: 5 }, cursor: first.nextCursor },
        staff,
      );
      const linked = await client.call('listHouseholds', { page: { pageSize: 10 } }, staff);
      expect([...first.households, ...next.households].map((h) => h.id)).toEqual(
        linked.households.map((h) => h.id),
      );
    });
  });

  describe('benefit agreements', () => {
    let householdId: string;
    const ts = (iso: string) => {
      const ms = Date.parse(iso);
      return { seconds: Math.floor(ms / 1000), nanos: 0 };
    };

    beforeAll(async () => {
      const { household } = await client.call(
        'createHousehold',
        {
          archiveNumber: 'T-0100',
          headName: '赵六',
          nationalId: nationalIdFor(100),
          members: 2,
          villageId: wangwuVillage,
        },
        OFFICER,
      );
      householdId = household.id;
    });

    const agreement = (from: string, to = '', kind = beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY) => ({
      producerId: TEST_PRODUCER,
      householdId,
      kind,
      weight: 3,
      effectiveFrom: from,
      effectiveTo: to,
    });

    it('refuses an overlapping agreement of the same producer, household and kind', async () => {
      await client.call('createBenefitAgreement', agreement('2020-01-01', '2020-06-01'), OFFICER);
      const overlap = await expectRejection(
        client.call('createBenefitAgreement', agreement('2020-05-31', '2020-07-01'), OFFICER),
      );
      expect(overlap.code).toBe(grpc.status.ALREADY_EXISTS);
      // Touching periods do not overlap (to is exclusive); another kind may overlap.
      await client.call('createBenefitAgreement', agreement('2020-06-01', '2020-09-01'), OFFICER);
      await client.call(
        'createBenefitAgreement',
        agreement('2020-03-01', '', beneficiaries.AgreementKind.AGREEMENT_KIND_DIVIDEND),
        OFFICER,
      );
      const open = await expectRejection(
        client.call('createBenefitAgreement', agreement('2019-01-01'), OFFICER),
      );
      expect(open.code).toBe(grpc.status.ALREADY_EXISTS);
      const backwards = await expectRejection(
        client.call('createBenefitAgreement', agreement('2021-02-01', '2021-01-01'), OFFICER),
      );
      expect(backwards.code).toBe(grpc.status.INVALID_ARGUMENT);
      const denied = await expectRejection(
        client.call('createBenefitAgreement', agreement('2022-01-01'), AUDITOR),
      );
      expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('answers shares as of an instant: from inclusive, to exclusive (dates in China time)', async () => {
      const shares = async (iso: string) =>
        (
          await client.call('getBenefitShares', { producerId: TEST_PRODUCER, asOf: ts(iso) }, 'service', {
            from: 'ledger',
          })
        ).shares.map((s) => s.kind.replace('AGREEMENT_KIND_', '').toLowerCase());
      expect(await shares('2019-12-31T23:59:59+08:00')).toEqual([]);
      expect(await shares('2020-01-01T00:00:00+08:00')).toEqual(['supply']);
      expect(await shares('2020-02-29T23:59:59+08:00')).toEqual(['supply']);
      expect((await shares('2020-03-01T00:00:00+08:00')).sort()).toEqual(['dividend', 'supply']);
      expect((await shares('2020-09-01T00:00:00+08:00')).sort()).toEqual(['dividend']);
      const list = await client.call(
        'listBenefitAgreements',
        { householdId, asOf: ts('2020-06-01T00:00:00+08:00') },
        AUDITOR,
      );
      expect(list.agreements).toHaveLength(2);
    });

    it('ends an agreement and validates suppliers against supply agreements at the instant', async () => {
      const { agreements } = await client.call('listBenefitAgreements', { householdId }, OFFICER);
      const dividend = agreements.find((a) => a.kind === 'AGREEMENT_KIND_DIVIDEND')!;
      const ended = await client.call(
        'endBenefitAgreement',
        { id: dividend.id, effectiveTo: '2021-01-01' },
        OFFICER,
      );
      expect(ended.agreement.effectiveTo).toBe('2021-01-01');
      const unknown = '99999999-2222-4333-8444-555555555555';
      const check = await client.call(
        'validateSuppliers',
        {
          producerId: TEST_PRODUCER,
          householdIds: [householdId, unknown],
          asOf: ts('2020-07-01T12:00:00+08:00'),
        },
        'service',
        { from: 'catalog' },
      );
      expect(check.allOk).toBe(false);
      expect(check.results).toEqual([
        expect.objectContaining({ householdId, ok: true }),
        expect.objectContaining({ householdId: unknown, ok: false, reason: 'household not found' }),
      ]);
      const late = await client.call(
        'validateSuppliers',
        {
          producerId: TEST_PRODUCER,
          householdIds: [householdId],
          asOf: ts('2020-09-01T00:00:00+08:00'),
        },
        'service',
        { from: 'catalog' },
      );
      expect(late.results[0]).toMatchObject({
        ok: false,
        reason: 'no supply agreement with the producer at as_of',
      });
      const consumer = await expectRejection(
        client.call('getBenefitShares', { producerId: TEST_PRODUCER }, CONSUMER),
      );
      expect(consumer.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('answers the same shares as columns when asked for a compact answer', async () => {
      const ask = (compact: boolean) =>
        client.call(
          'getBenefitShares',
          { producerId: YANGGUANG, asOf: ts('2020-07-01T12:00:00+08:00'), compact },
          'service',
          { from: 'ledger' },
        );
      const [full, compact] = [await ask(false), await ask(true)];
      expect(full.shares.length).toBeGreaterThan(10);
      expect(compact.shares).toEqual([]);
      expect(compact.totalWeight).toBe(full.totalWeight);
      const c = compact.columns!;
      const uuid = (bytes: unknown, i: number) =>
        Buffer.from((bytes as Uint8Array).subarray(i * 16, i * 16 + 16))
          .toString('hex')
          .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      expect(
        c.weights.map((weight, i) => ({
          householdId: uuid(c.householdIds, i),
          villageId: c.villageIds[c.villageIndex[i]!],
          agreementId: uuid(c.agreementIds, i),
          kind: c.kinds[i],
          weight,
        })),
      ).toEqual(full.shares);
      expect(new Set(c.villageIds).size).toBe(c.villageIds.length);
    });

    it('answers from memory but never an answer older than a committed change, whoever made it', async () => {
      const asOf = ts('2020-07-01T12:00:00+08:00');
      const weights = async () =>
        (
          await client.call('getBenefitShares', { producerId: TEST_PRODUCER, asOf }, 'service', {
            from: 'ledger',
          })
        ).shares
          .map((s) => `${s.kind.replace('AGREEMENT_KIND_', '').toLowerCase()}:${s.weight}`)
          .sort();
      expect(await weights()).toEqual(['dividend:3', 'supply:3']);
      expect(await weights()).toEqual(['dividend:3', 'supply:3']);
      // Through the service: the answer changes on the next call.
      await client.call(
        'createBenefitAgreement',
        agreement('2020-06-15', '2020-08-01', beneficiaries.AgreementKind.AGREEMENT_KIND_EMPLOYMENT),
        OFFICER,
      );
      expect(await weights()).toEqual(['dividend:3', 'employment:3', 'supply:3']);
      // Behind the service's back (another replica, psql): the database notifies on commit.
      await sql.query(`update benefit_agreement set weight = 7 where household_id = $1 and kind = 'supply'`, [
        householdId,
      ]);
      expect(await soon(weights, (w) => w.includes('supply:7'))).toEqual([
        'dividend:3',
        'employment:3',
        'supply:7',
      ]);
      // A lost listening connection: nothing is kept until it listens again, and then afresh.
      await sql.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'`,
      );
      await sql.query(`update benefit_agreement set weight = 3 where household_id = $1 and kind = 'supply'`, [
        householdId,
      ]);
      expect(await soon(weights, (w) => w.includes('supply:3'))).toEqual([
        'dividend:3',
        'employment:3',
        'supply:3',
      ]);
    });
  });

  describe('importRegister', () => {
    const row = (
      line: number,
      n: number,
      extra: Sent<beneficiaries.ImportRow> = {},
    ): Sent<beneficiaries.ImportRow> => ({
      line,
      archiveNumber: `IMP-${String(n).padStart(6, '0')}`,
      headName: `导入户${n}`,
      nationalId: nationalIdFor(10_000 + n, '410882'),
      members: 1 + (n % 5),
      townNameZh: '王屋镇',
      villageNameZh: '谭庄村',
      status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_EXITED,
      exitYear: 2019,
      baselineIncome: { fen: 1_200_000 },
      payoutAccount: `62220202${String(n).padStart(11, '0')}`,
      ...extra,
    });
    const imported = () => count(`select count(*) as n from household where archive_number like 'IMP-%'`);

    it('reports every bad row by line, field and reason and writes nothing', async () => {
      const rows = [
        row(2, 1),
        row(3, 2, { nationalId: '410882199001011230' }),
        row(4, 3, { members: 0 }),
        row(5, 4, { villageNameZh: '不存在村' }),
        row(6, 5, {
          producerId: TEST_PRODUCER,
          agreementKind: beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY,
          agreementWeight: 0,
          agreementEffectiveFrom: '2020-01-01',
        }),
        row(7, 6, { nationalId: nationalIdFor(10_001, '410882') }),
      ];
      const report = await client.importRegister({ purpose: IMPORT_PURPOSE }, rows);
      expect(report.committed).toBe(false);
      expect(report.rejected).toEqual([
        { line: 3, field: 'nationalId', reason: expect.stringMatching(/check character|birth/) },
        { line: 4, field: 'members', reason: 'must be at least 1' },
        { line: 5, field: 'villageNameZh', reason: expect.any(String) },
        { line: 6, field: 'agreementWeight', reason: 'must be a positive integer' },
        { line: 7, field: 'nationalId', reason: 'repeats the national ID of line 2' },
      ]);
      expect(JSON.stringify(report)).not.toContain(nationalIdFor(10_001, '410882'));
      expect(await imported()).toBe(0);
    });

    it('commits the good rows in partial mode, and a re-import updates instead of duplicating', async () => {
      const rows = [
        row(2, 1, {
          producerId: TEST_PRODUCER,
          agreementKind: beneficiaries.AgreementKind.AGREEMENT_KIND_SUPPLY,
          agreementWeight: 2,
          agreementEffectiveFrom: '2020-01-01',
        }),
        row(3, 2, { members: 0 }),
        row(4, 3),
      ];
      const first = await client.importRegister({ partial: true, purpose: IMPORT_PURPOSE }, rows);
      expect(first).toMatchObject({
        committed: true,
        householdsCreated: 2,
        householdsUpdated: 0,
        agreementsCreated: 1,
      });
      expect(first.rejected).toEqual([{ line: 3, field: 'members', reason: 'must be at least 1' }]);
      const dry = await client.importRegister({ dryRun: true, purpose: IMPORT_PURPOSE }, [
        row(2, 1, { members: 6 }),
      ]);
      expect(dry).toMatchObject({ committed: false, householdsUpdated: 1 });
      const again = await client.importRegister({ purpose: IMPORT_PURPOSE }, [
        { ...rows[0], members: 6 },
        row(4, 3),
      ]);
      expect(again).toMatchObject({
        committed: true,
        householdsCreated: 0,
        householdsUpdated: 2,
        agreementsCreated: 0,
      });
      expect(await imported()).toBe(2);
      expect(await count(`select members as n from household where archive_number = 'IMP-000001'`)).toBe(6);
      const overlap = await client.importRegister({ purpose: IMPORT_PURPOSE }, [
        { ...rows[0], agreementEffectiveFrom: '2020-02-01' },
      ]);
      expect(overlap.rejected).toEqual([
        { line: 2, field: 'agreementEffectiveFrom', reason: expect.stringMatching(/overlaps/) },
      ]);
      const consumer = await expectRejection(
        client.importRegister({ purpose: IMPORT_PURPOSE }, [row(2, 9)], CONSUMER),
      );
      expect(consumer.code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it('imports 10,000 households in one go', async () => {
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        row(
          i + 2,
          100_000 + i,
          i % 2 === 0
            ? {
                producerId: TEST_PRODUCER,
                agreementKind: beneficiaries.AgreementKind.AGREEMENT_KIND_DIVIDEND,
                agreementWeight: 1,
                agreementEffectiveFrom: '2020-01-01',
              }
            : {},
        ),
      );
      const started = Date.now();
      const report = await client.importRegister({ purpose: IMPORT_PURPOSE }, rows, OFFICER, 1_000);
      const ms = Date.now() - started;

      console.log(
        `ImportRegister: 10,000 households in ${ms} ms (${Math.round(10_000 / (ms / 1000))} rows/s)`,
      );
      expect(report).toMatchObject({
        committed: true,
        householdsCreated: 10_000,
        agreementsCreated: 5_000,
        rejected: [],
      });
      expect(await imported()).toBe(10_002);
    }, 120_000);

    it('imports a household repeated on thousands of rows across batches as one household with every agreement', async () => {
      const day = (n: number) => new Date(Date.UTC(2010, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
      // 3,000 rows of one household: 2,500 back-to-back agreements, each one then repeated (identical) once per five.
      const rows = Array.from({ length: 3_000 }, (_, i) => {
        const n = i < 2_500 ? i : (i - 2_500) * 5;
        return row(i + 2, 900_000, {
          members: 4,
          producerId: TEST_PRODUCER,
          agreementKind: beneficiaries.AgreementKind.AGREEMENT_KIND_EMPLOYMENT,
          agreementWeight: 1 + (n % 3),
          agreementEffectiveFrom: day(n),
          agreementEffectiveTo: day(n + 1),
        });
      });
      const household = `select count(*) as n from household where archive_number = 'IMP-900000'`;
      const agreements = `select count(*) as n from benefit_agreement a join household h on h.id = a.household_id
        where h.archive_number = 'IMP-900000'`;

      const first = await client.importRegister({ purpose: IMPORT_PURPOSE }, rows, OFFICER, 250);
      expect(first).toMatchObject({
        committed: true,
        rowsRead: 3_000,
        householdsCreated: 1,
        householdsUpdated: 0,
        agreementsCreated: 2_500,
        rejected: [],
      });
      expect(await count(household)).toBe(1);
      expect(await count(agreements)).toBe(2_500);

      // Again, with a clash on the last row: nothing new, the overlap named, nothing written.
      const clash = { ...rows[0], line: 3_002, agreementEffectiveTo: day(2) };
      const again = await client.importRegister({ purpose: IMPORT_PURPOSE }, [...rows, clash], OFFICER, 250);
      expect(again).toMatchObject({ committed: false, rowsRead: 3_001, agreementsCreated: 0 });
      expect(again.rejected).toEqual([
        { line: 3_002, field: 'agreementEffectiveFrom', reason: expect.stringMatching(/overlaps/) },
      ]);
      const reimport = await client.importRegister({ purpose: IMPORT_PURPOSE }, rows, OFFICER, 250);
      expect(reimport).toMatchObject({
        committed: true,
        householdsCreated: 0,
        householdsUpdated: 1,
        agreementsCreated: 0,
      });
      expect(await count(agreements)).toBe(2_500);
    }, 120_000);
  });

  describe('personal data at rest and in logs', () => {
    it('holds no plaintext name, national ID or account in any text or bytea column', async () => {
      const { rows: columns } = await sql.query(
        `select table_name, column_name from information_schema.columns
         where table_schema = 'public' and data_type in ('text', 'character varying', 'bytea', 'character')`,
      );
      const demo = demoRegister().households.slice(0, 200);
      const needles = [
        DISTINCT_NAME,
        nationalIdFor(1),
        '6222020200112233445',
        ...demo.map((h) => h.nationalId),
        ...demo.map((h) => h.payoutAccount),
      ];
      const names = new Set(demoRegister().households.map((h) => h.headName));
      let scanned = 0;
      for (const { table_name: table, column_name: column } of columns) {
        const { rows } = await sql.query(
          `select ${sql.escapeIdentifier(column)}::text as v from ${sql.escapeIdentifier(table)}`,
        );
        for (const { v } of rows as { v: string | null }[]) {
          if (v === null) {
            continue;
          }
          scanned++;
          expect(names.has(v)).toBe(false);
          for (const needle of needles) {
            if (v.includes(needle)) {
              throw new Error(`plaintext personal data found in ${table}.${column}`);
            }
          }
        }
      }
      expect(scanned).toBeGreaterThan(10_000);
    });

    it('writes no name, national ID or account to the log', () => {
      expect(logs.lines.length).toBeGreaterThan(3);
      const text = logs.text;
      for (const needle of [
        DISTINCT_NAME,
        nationalIdFor(1),
        nationalIdFor(10_001, '410882'),
        '6222020200112233445',
        '赵六',
      ]) {
        expect(text).not.toContain(needle);
      }
      for (const h of demoRegister().households.slice(0, 50)) {
        expect(text).not.toContain(h.nationalId);
      }
    });
  });
});
