import * as grpc from '@grpc/grpc-js';
import { beneficiaries } from '@yugong/contracts';
import { demoRegister } from '@yugong/shared/demo';
import { createTestDatabase, expectRejection, freePort, type TestDatabase } from '@yugong/shared/testing';
import { startBeneficiaries, type RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { beneficiariesConfig } from '../src/config/beneficiaries.config';
import { OFFICER, registerClient, testEnv, type RegisterClient } from './support/harness';

const register = demoRegister();
const VILLAGE = register.villages[0]!.id;

describe('ListDistributionRecipients', () => {
  let db: TestDatabase;
  let running: RunningBeneficiaries;
  let client: RegisterClient;
  const asLedger = (request: Partial<beneficiaries.ListDistributionRecipientsRequest>) =>
    client.call(
      'listDistributionRecipients',
      {
        townId: '',
        villageId: '',
        householdIds: [],
        ...request,
      } as beneficiaries.ListDistributionRecipientsRequest,
      'service',
      { from: 'ledger' },
    );

  beforeAll(async () => {
    db = await createTestDatabase('beneficiaries_recipients');
    const port = await freePort();
    running = (await startBeneficiaries(beneficiariesConfig(testEnv(db.url, port, { SEED_DEMO: 'true' }))))!;
    client = registerClient(port);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await running?.close();
    await db?.drop();
  });

  it('answers the ledger a filter’s households by id, village, town, members and status, and nothing personal', async () => {
    const expected = register.households.filter((h) => h.villageId === VILLAGE);
    const res = await asLedger({ villageId: VILLAGE });
    expect(res.households.map((h) => h.householdId)).toEqual(expected.map((h) => h.id).sort());
    for (const h of res.households) {
      const demo = expected.find((x) => x.id === h.householdId)!;
      expect(h).toEqual({
        householdId: demo.id,
        villageId: VILLAGE,
        townId: register.villages[0]!.townId,
        members: demo.members,
        status: `HOUSEHOLD_STATUS_${demo.status.toUpperCase()}`,
      });
    }
    const text = JSON.stringify(res);
    for (const h of expected) {
      expect(text).not.toContain(h.headName);
      expect(text).not.toContain(h.nationalId);
    }
    const monitored = await asLedger({
      status: beneficiaries.HouseholdStatus.HOUSEHOLD_STATUS_MONITORED_EDGE,
    });
    expect(monitored.households).toHaveLength(
      register.households.filter((h) => h.status === 'monitored_edge').length,
    );
    const byId = await asLedger({ householdIds: [expected[0]!.id, '00000000-0000-4000-8000-00000000dead'] });
    expect(byId.households.map((h) => h.householdId)).toEqual([expected[0]!.id]);
  });

  it('refuses an officer going round the register’s masking through the ledger’s own method', async () => {
    await expectRejection(
      client.call('listDistributionRecipients', { villageId: VILLAGE } as never, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    await expectRejection(
      client.call('listDistributionRecipients', { villageId: VILLAGE } as never, 'service', {
        from: 'catalog',
      }),
      grpc.status.PERMISSION_DENIED,
    );
  });
});
