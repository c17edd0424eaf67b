import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Writable } from 'node:stream';

// Clients are built from proto/ alone, as any external gRPC client would be.
const PROTO_ROOT = path.resolve(__dirname, '../../../../proto');
export const SERVICE_TOKEN = 'test-service-token-0123456789';

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

type Unary = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;
type ClientStream = (
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => grpc.ClientWritableStream<unknown>;

/** Env of a test instance; `keys` as PII_ENCRYPTION_KEYS. */
export function testEnv(
  databaseUrl: string,
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    SERVICE_TOKEN,
    PII_ENCRYPTION_KEYS: `k1:${PII_KEY_1}`,
    PII_ACTIVE_KEY_ID: 'k1',
    PII_HASH_KEY,
    LOG_LEVEL: 'silent',
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

/** A proto-only client of BeneficiariesService. */
export class RegisterClient {
  private readonly client: grpc.Client & Record<string, Unary & ClientStream>;

  constructor(port: number) {
    const definition = protoLoader.loadSync(
      path.join(PROTO_ROOT, 'yugong/beneficiaries/v1/beneficiaries.proto'),
      {
        includeDirs: [PROTO_ROOT],
        longs: Number,
        enums: String,
        defaults: true,
        arrays: true,
        oneofs: true,
      },
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const loaded = grpc.loadPackageDefinition(definition) as any;
    this.client = new loaded.yugong.beneficiaries.v1.BeneficiariesService(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
  }

  private metadata(caller?: object | null): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set('x-service-token', SERVICE_TOKEN);
    if (caller) {
      metadata.set('x-caller', JSON.stringify(caller));
    }
    return metadata;
  }

  call<T>(method: string, request: unknown, caller?: object | null): Promise<T> {
    return new Promise((resolve, reject) =>
      this.client[method](request, this.metadata(caller), { deadline: Date.now() + 10_000 }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      ),
    );
  }

  /** ImportRegister: options first, then the rows in batches. */
  importRegister<T>(
    options: { partial?: boolean; dryRun?: boolean },
    rows: object[],
    caller: object | null = OFFICER,
    batchSize = 500,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const stream = this.client.ImportRegister(
        this.metadata(caller),
        { deadline: Date.now() + 20_000 },
        (err, res) => (err ? reject(err) : resolve(res as T)),
      );
      stream.write({ options });
      for (let i = 0; i < rows.length; i += batchSize) {
        stream.write({ batch: { rows: rows.slice(i, i + batchSize) } });
      }
      stream.end();
    });
  }

  close(): void {
    this.client.close();
  }
}

export async function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

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

export { grpc };
