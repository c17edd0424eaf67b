import * as grpc from '@grpc/grpc-js';
import { demoRegister } from '@yugong/shared/demo';
import { errorDetails, expectRejection } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  AUDITOR,
  CONSUMER,
  LogCapture,
  OFFICER,
  staffOf,
  startTestBeneficiaries,
  type RegisterClient,
  type TestBeneficiaries,
} from './support/harness';

const register = demoRegister();
const [first, second, third] = register.households;
const ACCOUNT = '6228 4800 1234 5678 901';
const DIGITS = ACCOUNT.replace(/\s/g, '');

describe('payout accounts and payout files', () => {
  let service: TestBeneficiaries;
  let sql: Client;
  let client: RegisterClient;
  const logs = new LogCapture();
  const accessRows = async (householdId: string) =>
    (
      await sql.query<{ purpose: string; action: string; user_id: string }>(
        `select purpose, action, user_id from pii_access where household_id = $1 order by accessed_at`,
        [householdId],
      )
    ).rows;

  beforeAll(async () => {
    service = await startTestBeneficiaries(
      'beneficiaries_payouts',
      { SEED_DEMO: 'true', LOG_LEVEL: 'trace' },
      { logDestination: logs },
    );
    ({ client, sql } = service);
  }, 60_000);

  afterAll(() => service?.close());

  it('stores the account encrypted, answers it masked, and shows it in full only on a stated read, logged', async () => {
    const set = await client.call(
      'setPayoutAccount',
      { householdId: first!.id, payeeName: '王建波', accountNumber: ACCOUNT, bankName: '济源农商银行' },
      OFFICER,
    );
    expect(set.account).toMatchObject({ accountNumber: '****8901', masked: true, bankName: '济源农商银行' });
    const stored = await sql.query(`select * from household_payout_account where household_id = $1`, [
      first!.id,
    ]);
    expect(JSON.stringify(stored.rows)).not.toContain('8901');
    expect(JSON.stringify(stored.rows)).not.toContain('王建波');
    // The register's own views mask the same account.
    const household = await client.call(
      'getHousehold',
      { id: first!.id, purpose: '', masked: true },
      OFFICER,
    );
    expect(household.household!.payoutAccount).toBe('****8901');

    const noPurpose = await expectRejection(
      client.call('getPayoutAccount', { householdId: first!.id, purpose: '', masked: false }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorDetails(noPurpose).fields?.[0]?.field).toBe('purpose');
    expect(await accessRows(first!.id)).toEqual([]);
    const full = await client.call(
      'getPayoutAccount',
      { householdId: first!.id, purpose: '核对代发账户', masked: false },
      OFFICER,
    );
    expect(full.account).toMatchObject({ accountNumber: DIGITS, masked: false, payeeName: '王建波' });
    expect(await accessRows(first!.id)).toEqual([
      { purpose: '核对代发账户', action: 'GetPayoutAccount', user_id: OFFICER.userId },
    ]);
    const audited = await client.call(
      'getPayoutAccount',
      { householdId: first!.id, purpose: 'audit', masked: false },
      AUDITOR,
    );
    expect(audited.account).toMatchObject({ accountNumber: '****8901', masked: true });
    expect(await accessRows(first!.id)).toHaveLength(1);
  });

  it('refuses bad accounts naming the field, and everyone but the relief office', async () => {
    const bad = await expectRejection(
      client.call(
        'setPayoutAccount',
        { householdId: second!.id, payeeName: '', accountNumber: '12ab', bankName: 'x' },
        OFFICER,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(
      errorDetails(bad)
        .fields?.map((f) => f.field)
        .sort(),
    ).toEqual(['accountNumber', 'bankName', 'payeeName']);
    const unknown = await expectRejection(
      client.call(
        'setPayoutAccount',
        { householdId: randomUUID(), payeeName: '李四', accountNumber: DIGITS, bankName: '农业银行' },
        OFFICER,
      ),
      grpc.status.NOT_FOUND,
    );
    expect(unknown).toBeDefined();
    for (const caller of [AUDITOR, CONSUMER, staffOf(randomUUID())]) {
      await expectRejection(
        client.call(
          'setPayoutAccount',
          { householdId: second!.id, payeeName: '李四', accountNumber: DIGITS, bankName: '农业银行' },
          caller,
        ),
        grpc.status.PERMISSION_DENIED,
      );
    }
    for (const caller of [CONSUMER, staffOf(randomUUID())]) {
      await expectRejection(
        client.call('getPayoutAccount', { householdId: first!.id, purpose: '', masked: true }, caller),
        grpc.status.PERMISSION_DENIED,
      );
    }
    expect(
      await sql.query(`select 1 from household_payout_account where household_id = $1`, [second!.id]),
    ).toMatchObject({
      rowCount: 0,
    });
  });

  it('renders the bank file for the relief office only, logging each household with the batch as purpose', async () => {
    await client.call(
      'setPayoutAccount',
      {
        householdId: second!.id,
        payeeName: '李, "四"',
        accountNumber: '62170000111122223',
        bankName: '中国建设银行',
      },
      OFFICER,
    );
    const batchId = randomUUID();
    const lines = [
      { householdId: first!.id, amountFen: 123_456, reference: 'PB7-0001' },
      { householdId: second!.id, amountFen: 5, reference: 'PB7-0002' },
    ];
    const res = await client.call('renderPayoutFile', { batchId, lines }, OFFICER);
    expect(Buffer.from(res.csv).toString('utf8')).toBe(
      'payee_name,bank_account,bank_name,amount,reference\n' +
        `王建波,${DIGITS},济源农商银行,1234.56,PB7-0001\n` +
        '"李, ""四""",62170000111122223,中国建设银行,0.05,PB7-0002\n',
    );
    for (const h of [first!, second!]) {
      expect((await accessRows(h.id)).filter((r) => r.action === 'RenderPayoutFile')).toEqual([
        { purpose: `payout batch ${batchId}`, action: 'RenderPayoutFile', user_id: OFFICER.userId },
      ]);
    }
    // The ledger asks which households can be paid, and gets ids only.
    const ready = await client.call(
      'listPayoutReadiness',
      { householdIds: [first!.id, second!.id, third!.id] },
      'service',
      { from: 'ledger' },
    );
    expect(ready.readyHouseholdIds).toEqual([first!.id, second!.id].sort());

    const missing = await expectRejection(
      client.call(
        'renderPayoutFile',
        { batchId, lines: [{ householdId: third!.id, amountFen: 1, reference: 'PB7-0003' }] },
        OFFICER,
      ),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(missing).code).toBe('PAYOUT_ACCOUNT_MISSING');
    const before = (await sql.query(`select count(*)::int as n from pii_access`)).rows[0].n;
    for (const caller of [AUDITOR, CONSUMER]) {
      await expectRejection(
        client.call('renderPayoutFile', { batchId, lines }, caller),
        grpc.status.PERMISSION_DENIED,
      );
    }
    await expectRejection(
      client.call('renderPayoutFile', { batchId, lines }, 'service', { from: 'ledger' }),
      grpc.status.PERMISSION_DENIED,
    );
    await expectRejection(
      client.call('listPayoutReadiness', { householdIds: [first!.id] }, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    expect((await sql.query(`select count(*)::int as n from pii_access`)).rows[0].n).toBe(before);
  });

  it('writes no account number or payee to its logs, even at trace level', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of [DIGITS, '62170000111122223', '王建波']) {
      expect(logs.text).not.toContain(secret);
    }
  });
});
