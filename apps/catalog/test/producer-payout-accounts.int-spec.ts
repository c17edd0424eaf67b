import * as grpc from '@grpc/grpc-js';
import { demoId } from '@yugong/shared/demo';
import { errorDetails, expectRejection } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { AUDITOR, CONSUMER, OFFICER, staffOf, startTestCatalog, type TestCatalog } from './support/harness';

const YANGGUANG = demoId('producer', 'yangguang');
const RUIXING = demoId('producer', 'ruixing');
const ACCOUNT = '4105 0166-8808 0000 0123';
const DIGITS = '41050166880800000123';

describe('producer payout accounts', () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_producer_payouts', { SEED_DEMO: 'true' });
  }, 60_000);

  afterAll(async () => {
    await catalog?.close();
  });

  it('is set by the relief office and read masked by officers, auditors and its own staff only', async () => {
    const set = await catalog.client.call(
      'setProducerPayoutAccount',
      {
        producerId: YANGGUANG,
        payeeName: '济源市阳光兔业',
        accountNumber: ACCOUNT,
        bankName: '中国建设银行济源分行',
      },
      OFFICER,
    );
    expect(set.account).toMatchObject({ producerId: YANGGUANG, accountNumber: '****0123' });
    const row = await catalog.sql.query(
      `select account_number from producer_payout_account where producer_id = $1`,
      [YANGGUANG],
    );
    expect(row.rows).toEqual([{ account_number: DIGITS }]);
    for (const reader of [OFFICER, AUDITOR, staffOf(7, YANGGUANG)]) {
      const got = await catalog.client.call('getProducerPayoutAccount', { producerId: YANGGUANG }, reader);
      expect(got.account).toMatchObject({ payeeName: '济源市阳光兔业', accountNumber: '****0123' });
      expect(JSON.stringify(got)).not.toContain(DIGITS.slice(-8));
    }
    for (const reader of [CONSUMER, staffOf(8, RUIXING)]) {
      await expectRejection(
        catalog.client.call('getProducerPayoutAccount', { producerId: YANGGUANG }, reader),
        grpc.status.PERMISSION_DENIED,
      );
    }
    for (const writer of [AUDITOR, staffOf(7, YANGGUANG), CONSUMER]) {
      await expectRejection(
        catalog.client.call(
          'setProducerPayoutAccount',
          { producerId: YANGGUANG, payeeName: 'x', accountNumber: '6217000012345678', bankName: '农业银行' },
          writer,
        ),
        grpc.status.PERMISSION_DENIED,
      );
    }
    // Refused writes changed nothing.
    expect((await catalog.sql.query(`select account_number from producer_payout_account`)).rows).toEqual([
      { account_number: DIGITS },
    ]);
    await expectRejection(
      catalog.client.call('getProducerPayoutAccount', { producerId: RUIXING }, OFFICER),
      grpc.status.NOT_FOUND,
    );
    await expectRejection(
      catalog.client.call(
        'setProducerPayoutAccount',
        { producerId: randomUUID(), payeeName: 'x', accountNumber: '6217000012345678', bankName: '农业银行' },
        OFFICER,
      ),
      grpc.status.NOT_FOUND,
    );
    const bad = await expectRejection(
      catalog.client.call(
        'setProducerPayoutAccount',
        { producerId: RUIXING, payeeName: ' ', accountNumber: '12-34', bankName: '农\n行' },
        OFFICER,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(
      errorDetails(bad)
        .fields?.map((f) => f.field)
        .sort(),
    ).toEqual(['accountNumber', 'bankName', 'payeeName']);
  });

  it('answers readiness to the ledger only, and the bank rows to the relief office only, alike each time', async () => {
    const ready = await catalog.client.call(
      'listProducerPayoutReadiness',
      { producerIds: [RUIXING, YANGGUANG] },
      'service',
      { from: 'ledger' },
    );
    expect(ready.readyProducerIds).toEqual([YANGGUANG]);
    await expectRejection(
      catalog.client.call('listProducerPayoutReadiness', { producerIds: [YANGGUANG] }, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    await catalog.client.call(
      'setProducerPayoutAccount',
      {
        producerId: RUIXING,
        payeeName: '=瑞星牧业',
        accountNumber: '6217000012345678',
        bankName: '农业银行',
      },
      OFFICER,
    );
    const batchId = randomUUID();
    const lines = [
      { producerId: RUIXING, amountFen: 123_456, reference: 'PB7-0002' },
      { producerId: YANGGUANG, amountFen: 5, reference: 'PB7-0003' },
    ];
    const [a, b] = await Promise.all(
      [1, 2].map(() => catalog.client.call('renderProducerPayoutRows', { batchId, lines }, OFFICER)),
    );
    expect(Buffer.from(a!.csv).toString('utf8')).toBe(
      `"=瑞星牧业",6217000012345678,农业银行,1234.56,PB7-0002\n济源市阳光兔业,${DIGITS},中国建设银行济源分行,0.05,PB7-0003\n`,
    );
    expect(Buffer.from(b!.csv)).toEqual(Buffer.from(a!.csv));
    await expectRejection(
      catalog.client.call('renderProducerPayoutRows', { batchId, lines }, AUDITOR),
      grpc.status.PERMISSION_DENIED,
    );
    await expectRejection(
      catalog.client.call('renderProducerPayoutRows', { batchId, lines }, 'service', { from: 'ledger' }),
      grpc.status.PERMISSION_DENIED,
    );
    const missing = await expectRejection(
      catalog.client.call(
        'renderProducerPayoutRows',
        {
          batchId,
          lines: [{ producerId: demoId('producer', 'fengzhiyuan'), amountFen: 1, reference: 'PB7-0004' }],
        },
        OFFICER,
      ),
      grpc.status.FAILED_PRECONDITION,
    );
    expect(errorDetails(missing).code).toBe('PAYOUT_ACCOUNT_MISSING');
  });
});
