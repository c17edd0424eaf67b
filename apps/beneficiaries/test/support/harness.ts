import type { beneficiaries } from '@yugong/contracts';
import {
  createTestDatabase,
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  testServiceSettings,
  type Sent,
  type TestCaller,
  type TestDatabase,
} from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { startBeneficiaries, type RunningBeneficiaries } from '../../src/beneficiaries.bootstrap';
import { beneficiariesConfig } from '../../src/config/beneficiaries.config';

export const PII_KEY_1 = randomBytes(32).toString('base64');
export const PII_KEY_2 = randomBytes(32).toString('base64');
export const PII_HASH_KEY = 'test-hash-key-0123456789-0123456789-abcdef';

const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const OFFICER = { userId: uid(1), role: 'relief_officer', producerIds: [] as string[] };
export const AUDITOR = { userId: uid(2), role: 'auditor', producerIds: [] as string[] };
export const CONSUMER = { userId: uid(3), role: 'consumer', producerIds: [] as string[] };
export const INSTITUTION = { userId: uid(4), role: 'institution', producerIds: [] as string[] };
export const staffOf = (...producerIds: string[]) => ({
  userId: uid(5),
  role: 'producer_staff',
  producerIds,
});

/** Env of a test instance; `keys` as PII_ENCRYPTION_KEYS. */
export function testEnv(
  databaseUrl: string,
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...testServiceSettings('beneficiaries', databaseUrl, port),
    PII_ENCRYPTION_KEYS: `k1:${PII_KEY_1}`,
    PII_ACTIVE_KEY_ID: 'k1',
    PII_HASH_KEY,
    ...extra,
  };
}

/** Collects every log line written to it. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

/** A client of BeneficiariesService on 127.0.0.1:`port`, with {@link importRegister} for the stream. */
export function registerClient(port: number) {
  const client = grpcTestClient(GRPC_SERVICES.beneficiaries, `127.0.0.1:${port}`, { deadlineMs: 10_000 });
  return Object.assign(client, {
    /** ImportRegister: options first, then the rows in batches. */
    importRegister(
      options: Sent<beneficiaries.ImportOptions>,
      rows: Sent<beneficiaries.ImportRow>[],
      caller: TestCaller | null = OFFICER,
      batchSize = 500,
    ) {
      const messages: Sent<beneficiaries.ImportRegisterRequest>[] = [{ options }];
      for (let i = 0; i < rows.length; i += batchSize) {
        messages.push({ batch: { rows: rows.slice(i, i + batchSize) } });
      }
      return client.stream('importRegister', messages, caller, { deadlineMs: 20_000 });
    },
  });
}

export type RegisterClient = ReturnType<typeof registerClient>;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** A valid national ID, distinct for each n < 10,000,000 (area 410881, born 1950-01-01 + n % 20,000 days). */
export function nationalIdFor(n: number, area = '410881'): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `${area}${birth}${String(Math.floor(n / 20_000) % 1000).padStart(3, '0')}`;
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/** A test file's own beneficiaries service: its database, the running service, a client and a SQL connection. */
export interface TestBeneficiaries {
  db: TestDatabase;
  running: RunningBeneficiaries;
  client: RegisterClient;
  sql: Client;
  /** Closes the client, the SQL connection and the service, and drops the database. */
  close(): Promise<void>;
}

/**
 * Creates database `label`, starts the service on it on a free port with {@link testEnv} and
 * `extra`, and connects a client and SQL.
 */
export async function startTestBeneficiaries(
  label: string,
  extra: Record<string, string> = {},
  options: Parameters<typeof startBeneficiaries>[1] = {},
): Promise<TestBeneficiaries> {
  const db = await createTestDatabase(label);
  const port = await freePort();
  const running = (await startBeneficiaries(beneficiariesConfig(testEnv(db.url, port, extra)), options))!;
  const client = registerClient(port);
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  return {
    db,
    running,
    client,
    sql,
    async close() {
      client.close();
      await sql.end();
      await running.close();
      await db.drop();
    },
  };
}
