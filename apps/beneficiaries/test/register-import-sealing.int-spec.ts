import * as grpc from '@grpc/grpc-js';
import type { Role } from '@yugong/shared/auth';
import { expectRejection } from '@yugong/shared/testing';
import { Client } from 'pg';
import type { RunningBeneficiaries } from '../src/beneficiaries.bootstrap';
import { PiiCipher } from '../src/pii/pii-cipher';
import { PiiSealPool } from '../src/pii/pii-seal-pool';
import { RegisterImportService } from '../src/register-import/register-import.service';
import {
  nationalIdFor,
  OFFICER,
  PII_HASH_KEY,
  PII_KEY_1,
  startTestBeneficiaries,
  type RegisterClient,
  type TestBeneficiaries,
} from './support/harness';

const PURPOSE = 'register import sealing test';

/** Import row `n` of this file (archive SEAL-…), in the demo's village 谭庄村. */
const row = (n: number) => ({
  line: n + 2,
  archiveNumber: `SEAL-${String(n).padStart(6, '0')}`,
  headName: `封存户${n}`,
  nationalId: nationalIdFor(300_000 + n, '410883'),
  members: 1 + (n % 5),
  townNameZh: '王屋镇',
  villageNameZh: '谭庄村',
  baselineIncome: { fen: 1_000_000 },
  // Every seventh household gives no payout account.
  payoutAccount: n % 7 === 0 ? '' : `62220303${String(n).padStart(11, '0')}`,
});

describe('register import: personal data sealed in worker threads', () => {
  let service: TestBeneficiaries;
  let running: RunningBeneficiaries;
  let client: RegisterClient;
  let sql: Client;
  const cipher = new PiiCipher({
    encryptionKeys: new Map([['k1', Buffer.from(PII_KEY_1, 'base64')]]),
    activeKeyId: 'k1',
    hashKey: PII_HASH_KEY,
  });
  const sealed = async () =>
    Number(
      (await sql.query(`select count(*) as n from household where archive_number like 'SEAL-%'`)).rows[0].n,
    );

  beforeAll(async () => {
    service = await startTestBeneficiaries('beneficiaries', { SEED_DEMO: 'true' });
    ({ running, client, sql } = service);
  }, 60_000);

  afterAll(() => service?.close());

  it('stores envelopes that open only as their own household and field, every IV new', async () => {
    const rows = Array.from({ length: 1_500 }, (_, n) => row(n));
    const report = await client.importRegister({ purpose: PURPOSE }, rows, OFFICER, 500);
    expect(report).toMatchObject({ committed: true, householdsCreated: 1_500, rejected: [] });

    const { rows: stored } = await sql.query<{
      id: string;
      archive_number: string;
      head_name_enc: string;
      national_id_enc: string;
      payout_account_enc: string | null;
    }>(
      `select id, archive_number, head_name_enc, national_id_enc, payout_account_enc
         from household where archive_number like 'SEAL-%' order by archive_number`,
    );
    expect(stored).toHaveLength(1_500);
    const ivs = new Set<string>();
    stored.forEach((h, n) => {
      const sent = rows[n];
      expect(h.archive_number).toBe(sent.archiveNumber);
      expect(cipher.decrypt('head_name', h.head_name_enc, h.id)).toBe(sent.headName);
      expect(cipher.decrypt('national_id', h.national_id_enc, h.id)).toBe(sent.nationalId);
      if (sent.payoutAccount === '') {
        expect(h.payout_account_enc).toBeNull();
      } else {
        expect(cipher.decrypt('payout_account', h.payout_account_enc!, h.id)).toBe(sent.payoutAccount);
      }
      // Bound to its household: the envelope of the next one's id does not open.
      expect(() =>
        cipher.decrypt('head_name', h.head_name_enc, stored[(n + 1) % stored.length].id),
      ).toThrow();
      for (const envelope of [h.head_name_enc, h.national_id_enc, h.payout_account_enc]) {
        if (envelope) {
          expect(envelope).not.toContain(sent.nationalId);
          ivs.add(envelope.split('.')[2]);
        }
      }
    });
    const envelopes = stored.reduce((sum, h) => sum + (h.payout_account_enc ? 3 : 2), 0);
    expect(ivs.size).toBe(envelopes);
  });

  // Last in this file: it closes the service's sealing pool, as a shutdown would.
  it('writes nothing when the sealing workers stop in the middle of an import', async () => {
    await sql.query(`delete from household where archive_number like 'SEAL-%'`);
    const officer = { ...OFFICER, role: OFFICER.role as Role };
    const session = await running.app.get(RegisterImportService).open(officer, { purpose: PURPOSE });
    const batch = (b: number) => Array.from({ length: 500 }, (_, i) => row(10_000 + b * 500 + i));
    let failure: unknown;
    try {
      // Three batches queued: the first has been sealed and its write has begun.
      for (let b = 0; b < 3; b++) {
        await session.add(batch(b));
      }
      // Its COPY has run in the import's transaction once that transaction holds an id.
      const deadline = Date.now() + 10_000;
      const writing = async () =>
        Number(
          (
            await sql.query(
              `select count(*) as n from pg_stat_activity
                 where datname = current_database() and backend_xid is not null and pid <> pg_backend_pid()`,
            )
          ).rows[0].n,
        );
      while ((await writing()) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await writing()).toBe(1);
      await running.app.get(PiiSealPool).close();
      for (let b = 3; b < 6; b++) {
        await session.add(batch(b));
      }
      await session.finish();
    } catch (error) {
      failure = error;
    } finally {
      await session.abort();
    }
    expect(String(failure)).toMatch(/sealing (pool is closed|worker stopped)/);
    expect(await sealed()).toBe(0);

    // Over gRPC too: an internal error, and nothing written.
    const rejected = await expectRejection(
      client.importRegister(
        { purpose: PURPOSE },
        Array.from({ length: 600 }, (_, n) => row(20_000 + n)),
      ),
    );
    expect(rejected.code).toBe(grpc.status.INTERNAL);
    expect(await sealed()).toBe(0);
  }, 60_000);
});
