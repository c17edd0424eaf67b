import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type ChannelOptions,
  type Client,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  GRPC_SERVICES,
  PROTO_LOADER_OPTIONS,
  PROTO_ROOT,
  protoPath,
  type GrpcService,
} from '@yugong/contracts';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Observable } from 'rxjs';

// Built from proto/ and the generated types alone, as any external gRPC client would be: the
// metadata and the assertion are written here by hand, not with the services' own functions, so
// a bug in those shows.

/** The services of the platform, each with its own key (as `SERVICE_NAMES` in shared/auth). */
export type TestServiceName = 'gateway' | 'catalog' | 'beneficiaries' | 'orders' | 'ledger' | 'licensing';
const TEST_SERVICE_NAMES: readonly TestServiceName[] = [
  'gateway',
  'catalog',
  'beneficiaries',
  'orders',
  'ledger',
  'licensing',
];

/** A service's key pair as the environment carries it: base64 DER. */
export interface TestServiceKey {
  /** PKCS#8, for `SERVICE_KEY`. */
  privateKey: string;
  /** SPKI, for `SERVICE_PUBLIC_KEYS`. */
  publicKey: string;
  /** The private key itself, for signing here. */
  signingKey: KeyObject;
}

function newKey(): TestServiceKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    signingKey: privateKey,
  };
}

/** This test process's key of every service: made once per process, never written anywhere. */
export const TEST_SERVICE_KEYS: Readonly<Record<TestServiceName, TestServiceKey>> = Object.fromEntries(
  TEST_SERVICE_NAMES.map((name) => [name, newKey()]),
) as Record<TestServiceName, TestServiceKey>;

/** `SERVICE_PUBLIC_KEYS` naming every service's test key. */
export const TEST_PUBLIC_KEYS = TEST_SERVICE_NAMES.map(
  (name) => `${name}:${TEST_SERVICE_KEYS[name].publicKey}`,
).join(',');

/** The identity settings of `service` in a test: its own test key, and everyone's public key. */
export function testIdentitySettings(service: TestServiceName): NodeJS.ProcessEnv {
  return { SERVICE_KEY: TEST_SERVICE_KEYS[service].privateKey, SERVICE_PUBLIC_KEYS: TEST_PUBLIC_KEYS };
}

/**
 * What every service a test boots in its own process is given: its database, gRPC on
 * 127.0.0.1:`port`, its test identity, no log output. Each app's harness adds its own.
 */
export function testServiceSettings(
  service: TestServiceName,
  databaseUrl: string,
  port: number,
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    ...testIdentitySettings(service),
    LOG_LEVEL: 'silent',
  };
}

/** The end user a call is made for: what the gateway puts in its assertion. */
export interface TestCaller {
  userId: string;
  /** A role name; any string, so that a test can send one the service does not know. */
  role: string;
  producerIds: readonly string[];
}

/**
 * On whose behalf a test call is made: a user, `null` for nobody (a public read), `'service'` for
 * the calling service itself. Omitted: nobody when calling as the gateway, else the service.
 */
export type TestPrincipal = TestCaller | null | 'service';

/** Per-call choices beyond the caller. */
export interface TestCallOptions {
  /** The service the call claims to come from (signed with its test key). Defaults to the client's. */
  from?: TestServiceName;
  /**
   * Sends this assertion as it is instead of signing one (`''`: none), to test forgeries. Or a
   * function that gets the claims a correct one would have and signs what it likes.
   */
  assertion?: string | ((claims: TestAssertionClaims) => string);
  /** Overrides the client's deadline. */
  deadlineMs?: number;
}

/**
 * What a test may send: proto3 has no required fields, so any field may be left out (the server
 * sees its default), which is how tests send incomplete requests on purpose.
 */
export type Sent<T> = T extends string | number | boolean
  ? T
  : T extends readonly (infer E)[]
    ? Sent<E>[]
    : T extends object
      ? { [K in keyof T]?: Sent<T[K]> }
      : T;

/**
 * What a test reads: every field present. proto-loader fills scalars and lists with defaults;
 * a message the server left out reads as missing and fails the test where it is read.
 */
export type Received<T> = T extends string | number | boolean
  ? T
  : T extends readonly (infer E)[]
    ? Received<E>[]
    : T extends object
      ? { [K in keyof T]-?: Received<NonNullable<T[K]>> }
      : T;

type RequestOf<F> = F extends (request: infer R, ...rest: never[]) => Observable<unknown> ? R : never;
type ResponseOf<F> = F extends (...args: never[]) => Observable<infer R> ? Received<R> : never;
type MessageOf<S> = S extends Observable<infer M> ? M : never;
/** Methods taking one request message. */
type UnaryMethod<T> = {
  [K in keyof T]: RequestOf<T[K]> extends Observable<unknown> ? never : K;
}[keyof T];
/** Methods taking a stream of request messages (client streaming). */
type StreamMethod<T> = {
  [K in keyof T]: RequestOf<T[K]> extends Observable<unknown> ? K : never;
}[keyof T];

/** A typed client of one service; see {@link grpcTestClient}. */
export interface GrpcTestClient<T extends object> {
  /**
   * Calls a unary method with a signed assertion, for `caller` (see {@link TestPrincipal}), as
   * the client's `from` service unless `options.from` says otherwise. Resolves with the response or rejects with the grpc-js `ServiceError`.
   */
  call<K extends UnaryMethod<T>>(
    method: K,
    request: Sent<RequestOf<T[K]>>,
    caller?: TestPrincipal,
    options?: TestCallOptions,
  ): Promise<ResponseOf<T[K]>>;
  /** Calls a client-streaming method: writes `messages` in order, then ends the stream. */
  stream<K extends StreamMethod<T>>(
    method: K,
    messages: Iterable<Sent<MessageOf<RequestOf<T[K]>>>>,
    caller?: TestPrincipal,
    options?: TestCallOptions,
  ): Promise<ResponseOf<T[K]>>;
  /** Closes the channel. */
  close(): void;
}

/** Settings shared by every call of one client. */
export interface GrpcTestClientSettings {
  /** The service the calls come from; default `gateway`. */
  from?: TestServiceName;
  /** The service called, when not the one the proto is named after (order event consumers). */
  audience?: TestServiceName;
  /** Default 30 s. */
  deadlineMs?: number;
  /** grpc-js channel options, e.g. a short reconnect back-off. */
  channelOptions?: ChannelOptions;
}

type Callback = (error: ServiceError | null, response: unknown) => void;
type RawMethod = (...args: unknown[]) => { write(message: unknown): void; end(): void };

const constructors = new Map<string, ServiceClientConstructor>();

function clientConstructor(service: GrpcService<object>): ServiceClientConstructor {
  const key = `${service.packageName}.${service.serviceName}`;
  let constructor = constructors.get(key);
  if (!constructor) {
    const definition = loadSync(protoPath(service.proto), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [PROTO_ROOT],
    });
    const found = key
      .split('.')
      .reduce<unknown>(
        (node, part) => (node as GrpcObject | undefined)?.[part],
        loadPackageDefinition(definition),
      );
    if (typeof found !== 'function') {
      throw new Error(`${key} is not in ${protoPath(service.proto)}`);
    }
    constructor = found as ServiceClientConstructor;
    constructors.set(key, constructor);
  }
  return constructor;
}

/**
 * A client of `service` at `address` (`host:port`), typed by the service's generated client
 * interface: method names, requests and responses are checked by the compiler.
 *
 * @example
 * const client = grpcTestClient(GRPC_SERVICES.catalog, `127.0.0.1:${port}`);
 * await client.call('createLot', { productId, lotCode: 'L-1', quantity: 5 }, OFFICER);
 */
export function grpcTestClient<T extends object>(
  service: GrpcService<T>,
  address: string,
  settings: GrpcTestClientSettings = {},
): GrpcTestClient<T> {
  const Constructor = clientConstructor(service);
  const client = new Constructor(address, credentials.createInsecure(), settings.channelOptions) as Client &
    Record<string, RawMethod>;

  function metadataFor(
    method: PropertyKey,
    caller: TestPrincipal | undefined,
    options: TestCallOptions,
  ): Metadata {
    const metadata = new Metadata();
    const from = options.from ?? settings.from ?? 'gateway';
    const principal = caller === undefined ? (from === 'gateway' ? null : 'service') : caller;
    const name = String(method);
    const claims: TestAssertionClaims = {
      iss: from,
      aud: settings.audience ?? (service.proto as TestServiceName),
      rpc: `/${service.packageName}.${service.serviceName}/${name.charAt(0).toUpperCase()}${name.slice(1)}`,
      act: principal === 'service' ? 'service' : principal === null ? 'anonymous' : 'user',
      ...(principal !== null && principal !== 'service' ? { usr: principal } : {}),
    };
    const assertion =
      typeof options.assertion === 'string'
        ? options.assertion
        : (options.assertion ?? signTestAssertion)(claims);
    if (assertion) {
      metadata.set('x-service-assertion', assertion);
    }
    return metadata;
  }

  function start(
    method: PropertyKey,
    head: unknown[],
    caller: TestPrincipal | undefined,
    options: TestCallOptions,
    callback: Callback,
  ) {
    const deadline = Date.now() + (options.deadlineMs ?? settings.deadlineMs ?? 30_000);
    return client[String(method)](...head, metadataFor(method, caller, options), { deadline }, callback);
  }

  return {
    call: (method, request, caller, options = {}) =>
      new Promise((resolve, reject) =>
        start(method, [request], caller, options, (error, response) =>
          error ? reject(error) : resolve(response as never),
        ),
      ),
    stream: (method, messages, caller, options = {}) =>
      new Promise((resolve, reject) => {
        const call = start(method, [], caller, options, (error, response) =>
          error ? reject(error) : resolve(response as never),
        );
        for (const message of messages) {
          call.write(message);
        }
        call.end();
      }),
    close: () => client.close(),
  };
}

/** What a service assertion says (see `AssertionSigner` in shared/auth). */
export interface TestAssertionClaims {
  iss: string;
  aud: string;
  rpc: string;
  act: 'user' | 'anonymous' | 'service';
  usr?: TestCaller;
  [claim: string]: unknown;
}

/**
 * Signs `claims` as a service would: ES256 with the test key of the service in `iss` (or `key`),
 * valid for `ttlSeconds` (60).
 */
export function signTestAssertion(
  claims: TestAssertionClaims,
  options: { key?: KeyObject; ttlSeconds?: number } = {},
): string {
  const { iss, aud, ...rest } = claims;
  const key = options.key ?? TEST_SERVICE_KEYS[iss as TestServiceName]?.signingKey ?? newKey().signingKey;
  return jwt.sign(rest, key, {
    algorithm: 'ES256',
    issuer: iss,
    audience: aud,
    expiresIn: options.ttlSeconds ?? 60,
  });
}

export { GRPC_SERVICES, type GrpcService };
