import * as grpc from '@grpc/grpc-js';
import { beneficiaries } from '@yugong/contracts';
import { demoRegister } from '@yugong/shared/demo';
import {
  createTestDatabase,
  errorDetails,
  errorFieldNames,
  expectRejection,
  freePort,
  type TestDatabase,
} from '@yugong/shared/testing';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startBeneficiaries, type RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { beneficiariesConfig } from '../src/config/beneficiaries.config';
import { HouseholdsService } from '../src/households/households.service';
import {
  AUDITOR,
  nationalIdFor,
  OFFICER,
  PII_KEY_1,
  registerClient,
  testEnv,
  type RegisterClient,
} from './support/harness';

/** A version 1 envelope (bound to the field only), as households were written before ids were bound. */
function v1Envelope(field: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(PII_KEY_1, 'base64'), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(field));
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['k1', ...[iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'))].join('.');
}

describe('register privacy attacks', () => {
  let db: TestDatabase;
  let running: RunningBeneficiaries;
  let client: RegisterClient;
  let sql: Client;
  let village: string;

  const accessRows = async (householdId: string) =>
    (
      await sql.query(
        'select user_id, purpose, action from pii_access where household_id = $1 order by accessed_at',
        [householdId],
      )
    ).rows as { user_id: string; purpose: string; action: string }[];

  async function create(n: number, headName: string): Promise<string> {
    const { household } = await client.call(
      'createHousehold',
      {
        archiveNumber: `SEC-${n}`,
        headName,
        nationalId: nationalIdFor(900_000 + n),
        members: 2,
        villageId: village,
        payoutAccount: `62220202${String(n).padStart(11, '0')}`,
      },
      OFFICER,
    );
    return household.id;
  }

  beforeAll(async () => {
    db = await createTestDatabase('beneficiaries_security');
    const port = await freePort();
    running = (await startBeneficiaries(beneficiariesConfig(testEnv(db.url, port, { SEED_DEMO: 'true' }))))!;
    client = registerClient(port);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    village = demoRegister().villages.find((v) => v.nameZh === '谭庄村')!.id;
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await running?.close();
    await sql?.end();
    await db?.drop();
  });

  it('a ciphertext swapped between households fails to decrypt', async () => {
    const a = await create(1, '甲户主');
    const b = await create(2, '乙户主');
    await sql.query(
      'update household set head_name_enc = (select head_name_enc from household where id = $1) where id = $2',
      [a, b],
    );
    for (const [caller, request] of [
      [OFFICER, { id: b, purpose: 'payout verification' }],
      [AUDITOR, { id: b }],
    ] as const) {
      const error = await expectRejection(
        client.call('getHousehold', request, caller),
        grpc.status.FAILED_PRECONDITION,
      );
      expect(errorDetails(error).code).toBe('PII_UNREADABLE');
      expect(error.details).toContain(b);
      expect(error.details).not.toContain('甲户主');
      expect(error.details).not.toContain(PII_KEY_1);
    }
    const list = await expectRejection(
      client.call('listHouseholds', { archiveNumberPrefix: 'SEC-' }, AUDITOR),
      'PII_UNREADABLE',
    );
    expect(list.details).not.toContain('甲户主');
    // The refused read left no access-log row.
    expect(await accessRows(b)).toEqual([]);

    // Into another field of the same household: refused too.
    await sql.query('update household set payout_account_enc = head_name_enc where id = $1', [a]);
    await expectRejection(client.call('getHousehold', { id: a }, AUDITOR), 'PII_UNREADABLE');
  });

  it('reads households written before envelopes were bound, and rewrites them bound', async () => {
    const c = await create(3, '丙户主');
    await sql.query(
      `update household set head_name_enc = $2, national_id_enc = $3, payout_account_enc = $4 where id = $1`,
      [
        c,
        v1Envelope('head_name', '丙户主'),
        v1Envelope('national_id', nationalIdFor(900_003)),
        v1Envelope('payout_account', '6222020200000000003'),
      ],
    );
    const read = async () =>
      (await client.call('getHousehold', { id: c, purpose: 'envelope upgrade check' }, OFFICER)).household;
    expect(await read()).toMatchObject({ headName: '丙户主', payoutAccount: '6222020200000000003' });

    // The one-shot rewrite: every version 1 envelope becomes version 2 under the active key.
    expect(await running.app.get(HouseholdsService).rotateKeys(500)).toBeGreaterThanOrEqual(1);
    const { rows } = await sql.query(
      `select count(*)::int as n from household where head_name_enc not like 'k1.v2.%'
         or national_id_enc not like 'k1.v2.%' or payout_account_enc not like 'k1.v2.%'`,
    );
    expect(rows[0].n).toBe(0);
    expect(await read()).toMatchObject({ headName: '丙户主', nationalId: nationalIdFor(900_003) });
    expect(await running.app.get(HouseholdsService).rotateKeys(500)).toBe(0);
  });

  it('an import probe for a national ID leaves an access-log row', async () => {
    const target = demoRegister().households[0];
    const probe = {
      line: 2,
      archiveNumber: 'PROBE-1',
      headName: '探测',
      nationalId: target.nationalId,
      members: 1,
      villageId: village,
      status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_REGISTERED,
    };
    const before = await accessRows(target.id);

    const refused = await expectRejection(
      client.importRegister({ dryRun: true }, [probe]),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorFieldNames(refused)).toEqual(['purpose']);
    expect(await accessRows(target.id)).toEqual(before);

    const report = await client.importRegister({ dryRun: true, purpose: '核对重复登记' }, [probe]);
    expect(report).toMatchObject({ committed: false });
    expect(report.rejected).toEqual([
      { line: 2, field: 'nationalId', reason: 'is registered to another household' },
    ]);
    expect(await accessRows(target.id)).toEqual([
      ...before,
      { user_id: OFFICER.userId, purpose: '核对重复登记', action: 'ImportRegisterDryRun' },
    ]);
    expect(
      (await sql.query(`select count(*)::int as n from household where archive_number = 'PROBE-1'`)).rows[0]
        .n,
    ).toBe(0);
  });
});
