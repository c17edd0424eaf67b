import { DEMO_REGISTER_FIGURES, demoRegister } from '@yugong/shared/demo';
import { createTestDatabase, freePort, type TestDatabase } from '@yugong/shared/testing';
import { Client } from 'pg';
import { startBeneficiaries, type RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { beneficiariesConfig } from '../src/config/beneficiaries.config';
import { HouseholdsService } from '../src/households/households.service';
import { OFFICER, PII_KEY_1, PII_KEY_2, registerClient, testEnv } from './support/harness';

describe('PII key rotation', () => {
  let db: TestDatabase;
  let sql: Client;
  const running: RunningBeneficiaries[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('beneficiaries_rotation');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    for (const r of running) {
      await r.close();
    }
    await sql?.end();
    await db?.drop();
  });

  it('keeps old rows readable under a new active key, and rotates them to it', async () => {
    const first = (await startBeneficiaries(
      beneficiariesConfig(testEnv(db.url, await freePort(), { SEED_DEMO: 'true' })),
    ))!;
    running.push(first);
    const keyIds = async () =>
      (await sql.query(`select pii_key_id as k, count(*)::int as n from household group by 1 order by 1`))
        .rows;
    expect(await keyIds()).toEqual([{ k: 'k1', n: DEMO_REGISTER_FIGURES.households }]);

    const port = await freePort();
    const second = (await startBeneficiaries(
      beneficiariesConfig(
        testEnv(db.url, port, {
          PII_ENCRYPTION_KEYS: `k1:${PII_KEY_1},k2:${PII_KEY_2}`,
          PII_ACTIVE_KEY_ID: 'k2',
        }),
      ),
    ))!;
    running.push(second);
    const client = registerClient(port);
    const demo = demoRegister().households[0];
    const read = async () =>
      (await client.call('getHousehold', { id: demo.id, purpose: 'key rotation check' }, OFFICER)).household;
    try {
      expect(await read()).toMatchObject({ headName: demo.headName, nationalId: demo.nationalId });
      const rotated = await second.app.get(HouseholdsService).rotateKeys(500);
      expect(rotated).toBe(DEMO_REGISTER_FIGURES.households);
      expect(await keyIds()).toEqual([{ k: 'k2', n: DEMO_REGISTER_FIGURES.households }]);
      const stale = await sql.query(
        `select count(*)::int as n from household where head_name_enc not like 'k2.%' or national_id_enc not like 'k2.%'
           or (payout_account_enc is not null and payout_account_enc not like 'k2.%')`,
      );
      expect(stale.rows[0].n).toBe(0);
      expect(await read()).toMatchObject({ headName: demo.headName, nationalId: demo.nationalId });
      expect(await second.app.get(HouseholdsService).rotateKeys()).toBe(0);
    } finally {
      client.close();
    }
  }, 60_000);
});
