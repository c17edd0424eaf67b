import { connectivityState, status, type Client, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ClientProxyFactory, Transport, type ClientGrpc } from '@nestjs/microservices';
import { PROTO_ROOT, protoPath, type GrpcService } from '@yugong/contracts';
import { namePeerUnavailable } from '@yugong/shared/errors';
import {
  ASSERTION_MARGIN_MS,
  type AssertionSigner,
  type CallerIdentity,
  type ServiceName,
} from '@yugong/shared/auth';
import { observeGrpcClientCall, traceGrpcCall } from '@yugong/shared/telemetry';
import { firstValueFrom, type Observable } from 'rxjs';
import { PROTO_LOADER_OPTIONS } from './grpc.constants';
import { outgoingMetadata } from './grpc-metadata.util';

// ts-proto's Nest client interfaces: (request, metadata?) => Observable<response>.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Unary = (request: any, metadata?: Metadata, ...rest: any[]) => Observable<any>;
type RequestOf<F> = F extends (request: infer R, ...rest: never[]) => Observable<unknown> ? R : never;
type ResponseOf<F> = F extends (...args: never[]) => Observable<infer R> ? R : never;
type UnaryKeys<T> = { [K in keyof T]: T[K] extends Unary ? K : never }[keyof T];

/** Per-call choices. */
export interface CallOptions {
  /**
   * The end user the call is made for, `null` for nobody (a public read); omitted when the
   * calling service acts for itself (a job, a relay, a verified webhook).
   */
  caller?: CallerIdentity | null;
  requestId?: string;
  /** Overrides the client's default deadline. */
  deadlineMs?: number;
  /**
   * Safe to repeat (a read, or a write with its own idempotency key): then UNAVAILABLE is retried
   * with back-off, within the deadline and at most `retries` times.
   */
  idempotent?: boolean;
}

/** Defaults every call of one client shares. */
export interface ServiceClientSettings {
  /** Signs the assertion each call carries, as this service. */
  signer: AssertionSigner;
  deadlineMs: number;
  retries: number;
  /** First back-off in ms; doubles per attempt, with full jitter. */
  backoffMs?: number;
}

/**
 * A typed gRPC client with the rules every internal call follows: a deadline on every call,
 * bounded retries only where repeating is safe, and a fresh signed assertion (this service, the
 * method, on whose behalf), the request id and, when tracing, the W3C trace context in metadata.
 */
export class ServiceClient<T extends object> {
  private readonly stub: T;

  constructor(
    private readonly channel: GrpcStub<T>,
    private readonly settings: ServiceClientSettings,
  ) {
    this.stub = channel.stub;
  }

  /**
   * False while the channel is failing to connect (TRANSIENT_FAILURE, or closed): then a call fails
   * at once with UNAVAILABLE, however healthy the service is by now, until the next reconnect
   * attempt. Readiness checks ask this as well as the service's health, so that "ready" means this
   * process's own calls get through. Asking also starts a connection on an idle channel.
   */
  reachable(): boolean {
    const state = this.channel.connectivity();
    return state !== connectivityState.TRANSIENT_FAILURE && state !== connectivityState.SHUTDOWN;
  }

  /** Closes the channel: calls made after fail at once. */
  close(): void {
    this.channel.close();
  }

  /** Calls `method` and resolves with its response, or rejects with the grpc-js ServiceError. */
  async call<K extends UnaryKeys<T>>(
    method: K,
    request: RequestOf<T[K]>,
    options: CallOptions = {},
  ): Promise<ResponseOf<T[K]>> {
    const name = String(method);
    const rpc = `${this.channel.pathPrefix}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    const deadlineMs = options.deadlineMs ?? this.settings.deadlineMs;
    const metadata = outgoingMetadata({
      // Reused while it outlives this call's deadline, retries included (they resend it).
      assertion: this.settings.signer.sign(
        this.channel.audience,
        rpc,
        options.caller === undefined ? 'service' : options.caller,
        deadlineMs + ASSERTION_MARGIN_MS,
      ),
      requestId: options.requestId,
    });
    const deadline = Date.now() + deadlineMs;
    // grpc-js's own unary call where the channel has it (no Observable per call), else the stub's.
    const unary = this.channel.unary;
    const send = unary
      ? () => unary(name, request, metadata, deadline)
      : () => firstValueFrom((this.stub[method] as Unary).call(this.stub, request, metadata, { deadline }));
    const retries = options.idempotent ? this.settings.retries : 0;
    const backoff = this.settings.backoffMs ?? 25;
    const started = performance.now();
    let waitedForChannel = false;
    for (let attempt = 0; ; attempt++) {
      try {
        // One CLIENT span per attempt (when tracing), its trace context in the metadata.
        const response = (await traceGrpcCall(rpc, this.channel.audience, metadata, send)) as ResponseOf<
          T[K]
        >;
        observeGrpcClientCall(this.settings.signer.service, this.channel.audience, rpc, started);
        return response;
      } catch (error) {
        const wait = Math.random() * backoff * 2 ** attempt;
        if (attempt >= retries || !isRetryable(error) || Date.now() + wait >= deadline) {
          // The call as the caller saw it, retries included (README, "Observability").
          observeGrpcClientCall(this.settings.signer.service, this.channel.audience, rpc, started, error);
          // A callee that gave no answer of its own is what a 503 names (`orders service`).
          throw namePeerUnavailable(error, this.channel.audience);
        }
        if (!waitedForChannel && !this.reachable()) {
          // The channel could not connect (its service starting, or restarting): rather than
          // spend the retries within its back-off, wait once for it to connect, at most one
          // back-off's length and within the deadline.
          waitedForChannel = true;
          await this.channel.waitForReady(Math.min(deadline, Date.now() + 2 * RECONNECT_BACKOFF_MS.max));
        } else {
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    }
  }
}

function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === status.UNAVAILABLE
  );
}

/** Where and what to connect to. */
/** A channel to one gRPC service, with what a call's assertion names. */
export interface GrpcStub<T extends object> {
  /** The generated client interface. */
  stub: T;
  /** The service called. */
  audience: ServiceName;
  /** `/package.Service/`: a method's path is this and its name. */
  pathPrefix: string;
  /**
   * Makes a unary call by the method's name in `stub` (lowerCamelCase) straight on grpc-js, as
   * the stub would without its Observable: resolves with the response, rejects with the
   * ServiceError. Optional: a hand-made stub is called through `stub`.
   */
  unary?(method: string, request: unknown, metadata: Metadata, deadline: number): Promise<unknown>;
  /** The channel's state now (an idle channel starts connecting). */
  connectivity(): connectivityState;
  /** Resolves once the channel is connected, or at `deadline` (ms since the epoch), whichever first. */
  waitForReady(deadline: number): Promise<void>;
  close(): void;
}

/** A unary method of a grpc-js generated client, as `makeClientConstructor` defines it. */
type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => unknown;

const clientDefinitions = new Map<string, PackageDefinition>();

/**
 * A service's contract, parsed once per process for every client of it: the gateway alone opens
 * eight channels, and `npm start` runs every service in one process. (Servers parse their own:
 * beneficiaries swaps an encoder into its server's copy.)
 */
function clientDefinition(service: string): PackageDefinition {
  let definition = clientDefinitions.get(service);
  if (!definition) {
    definition = loadSync(protoPath(service), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    clientDefinitions.set(service, definition);
  }
  return definition;
}

/** How soon a channel that could not connect tries again: first after, and at most after. */
export const RECONNECT_BACKOFF_MS = { initial: 200, max: 1_000 } as const;

/** Opens a channel and returns the generated client interface for one service. */
export function createGrpcStub<T extends object>(
  service: GrpcService<T>,
  /** `host:port`, or `dns:///name:port` to balance per call over every address of a headless Service. */
  url: string,
  /** The service that serves it, when not the one the proto is named after (order event consumers). */
  audience: ServiceName = service.proto as ServiceName,
): GrpcStub<T> {
  const proxy = ClientProxyFactory.create({
    transport: Transport.GRPC,
    options: {
      url,
      package: service.packageName,
      packageDefinition: clientDefinition(service.proto),
      channelOptions: {
        'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        // Between internal services a reconnect is cheap and waiting is not: grpc-js's default
        // back-off grows to 120 s, so a channel that first tried while its service was still
        // starting failed every call for up to tens of seconds after the service was up.
        'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF_MS.initial,
        'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF_MS.max,
      },
    },
  }) as unknown as ClientGrpc & { close(): void };
  const stub = proxy.getService<T>(service.serviceName);
  const client = proxy.getClientByServiceName<Client>(service.serviceName);
  // grpc-js's generated client: each method under its proto name and its lowerCamelCase one.
  const methods = client as unknown as Record<string, UnaryMethod>;
  return {
    stub,
    unary: (method, request, metadata, deadline) =>
      new Promise((resolve, reject) => {
        methods[method].call(client, request, metadata, { deadline }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      }),
    connectivity: () => client.getChannel().getConnectivityState(true),
    waitForReady: (deadline) => new Promise((resolve) => client.waitForReady(deadline, () => resolve())),
    audience,
    pathPrefix: `/${service.packageName}.${service.serviceName}/`,
    close: () => proxy.close(),
  };
}
