import {
  Client,
  connectivityState,
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { catalog, PROTO_LOADER_OPTIONS, PROTO_ROOT, protoPath } from '@yugong/contracts';
import {
  AssertionSigner,
  AssertionVerifier,
  parsePublicKeys,
  privateKeyFrom,
  type ServiceName,
} from '@yugong/shared/auth';
import { GrpcExceptionFilter, NotFound } from '@yugong/shared/errors';
import {
  freePort,
  GRPC_SERVICES,
  grpcTestClient,
  signTestAssertion,
  TEST_PUBLIC_KEYS,
  TEST_SERVICE_KEYS,
} from '@yugong/shared/testing';
import { service as healthService } from 'grpc-health-check';
import { generateKeyPairSync } from 'node:crypto';
import { Observable, throwError } from 'rxjs';
import {
  Accepts,
  ASSERTION_VERIFIER,
  callerOf,
  callOf,
  createGrpcStub,
  GrpcCallerGuard,
  grpcServer,
  markServing,
  PUBLIC,
  requestIdOf,
  SERVICE,
  ServiceClient,
  USER,
} from '../src';

const signer = (service: ServiceName) =>
  new AssertionSigner(service, privateKeyFrom(TEST_SERVICE_KEYS[service].privateKey));

function product(id: string, producerId: string, nameZh: string, nameEn: string): catalog.Product {
  return {
    id,
    producerId,
    nameZh,
    nameEn,
    category: '',
    unit: '',
    imageUrls: [],
    originVillage: '',
    reliefCertification: '',
    status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE,
    stock: 0,
    stockSourceProductId: '',
    licensed: false,
    licenceNumber: '',
    producerName: '',
    town: '',
  };
}

/**
 * A stand-in catalog: GetProduct reports what it received (or sleeps, or fails), accepting the
 * gateway for anyone and orders for itself; HoldStock accepts only orders acting for a user;
 * ListLots declares no callers at all.
 */
@Controller()
class ProbeController {
  @GrpcMethod(catalog.CATALOG_SERVICE_NAME, 'GetProduct')
  @Accepts({ gateway: PUBLIC, orders: SERVICE })
  async getProduct(
    request: catalog.GetProductRequest,
    metadata: Metadata,
  ): Promise<catalog.GetProductResponse> {
    if (request.id === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (request.id === 'missing') {
      throw new NotFound('product', 'missing');
    }
    const caller = callerOf(metadata);
    const call = callOf(metadata);
    return {
      product: product(
        request.id,
        caller?.userId ?? '',
        requestIdOf(metadata) ?? '',
        `${call.service}/${call.principal}`,
      ),
    };
  }

  @GrpcMethod(catalog.CATALOG_SERVICE_NAME, 'HoldStock')
  @Accepts({ orders: USER })
  async holdStock(request: catalog.HoldStockRequest): Promise<catalog.HoldStockResponse> {
    return { held: request.orderId === 'o1', lines: [], shortages: [] };
  }

  @GrpcMethod(catalog.CATALOG_SERVICE_NAME, 'ListLots')
  async listLots(): Promise<catalog.ListLotsResponse> {
    return { lots: [] };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    {
      provide: ASSERTION_VERIFIER,
      useValue: new AssertionVerifier('catalog', parsePublicKeys(TEST_PUBLIC_KEYS)),
    },
    { provide: APP_GUARD, useClass: GrpcCallerGuard },
    { provide: APP_FILTER, useClass: GrpcExceptionFilter },
  ],
})
class ProbeModule {}

describe('gRPC server and client helpers', () => {
  let app: INestMicroservice;
  let port: number;
  const stubs: { close(): void }[] = [];

  async function startProbe(on: number): Promise<INestMicroservice> {
    const serviceNames = ['yugong.catalog.v1.CatalogService'];
    const server = grpcServer({
      service: 'catalog',
      packageName: 'yugong.catalog.v1',
      serviceNames,
      host: '127.0.0.1',
      port: on,
      reflection: false,
    });
    const probe = await NestFactory.createMicroservice(ProbeModule, {
      ...server.options,
      logger: false,
    });
    server.strategy.useRequestContext(null);
    await probe.listen();
    markServing(server, serviceNames);
    return probe;
  }

  beforeAll(async () => {
    port = await freePort();
    app = await startProbe(port);
  });

  afterAll(async () => {
    stubs.forEach((stub) => stub.close());
    await app?.close();
  });

  function client(url: string, settings: Partial<ConstructorParameters<typeof ServiceClient>[1]> = {}) {
    const stub = createGrpcStub(GRPC_SERVICES.catalog, url);
    stubs.push(stub);
    return new ServiceClient(stub, {
      signer: signer('gateway'),
      deadlineMs: 2_000,
      retries: 2,
      backoffMs: 10,
      ...settings,
    });
  }

  it('carries the caller and request id in metadata', async () => {
    const sut = client(`127.0.0.1:${port}`);
    const res = await sut.call(
      'getProduct',
      { id: 'p1', includeUnlisted: false },
      { caller: { userId: 'u1', role: 'auditor', producerIds: [] }, requestId: 'req-42' },
    );
    expect(res.product).toMatchObject({
      id: 'p1',
      producerId: 'u1',
      nameEn: 'gateway/user',
      nameZh: 'req-42',
    });
  });

  it('tells the handler which service called, and for nobody or for itself', async () => {
    const anonymous = await client(`127.0.0.1:${port}`).call(
      'getProduct',
      { id: 'p1', includeUnlisted: false },
      {
        caller: null,
      },
    );
    expect(anonymous.product?.nameEn).toBe('gateway/anonymous');
    const itself = await client(`127.0.0.1:${port}`, { signer: signer('orders') }).call('getProduct', {
      id: 'p1',
      includeUnlisted: false,
    });
    expect(itself.product?.nameEn).toBe('orders/service');
  });

  it('maps domain errors to their status', async () => {
    const sut = client(`127.0.0.1:${port}`);
    await expect(
      sut.call('getProduct', { id: 'missing', includeUnlisted: false }, { caller: null }),
    ).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('gives up at the deadline', async () => {
    const sut = client(`127.0.0.1:${port}`, { deadlineMs: 100 });
    const started = Date.now();
    await expect(
      sut.call('getProduct', { id: 'slow', includeUnlisted: false }, { caller: null, idempotent: true }),
    ).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('refuses to listen until the service says which ORM its calls use', async () => {
    const server = grpcServer({
      service: 'catalog',
      packageName: 'yugong.catalog.v1',
      serviceNames: ['yugong.catalog.v1.CatalogService'],
      host: '127.0.0.1',
      port: await freePort(),
      reflection: false,
    });
    const unnamed = await NestFactory.createMicroservice(ProbeModule, { ...server.options, logger: false });
    await expect(unnamed.listen()).rejects.toThrow(/useRequestContext/);
    await unnamed.close();
  });

  it('fails fast with UNAVAILABLE when nothing listens, within the deadline', async () => {
    const closed = await freePort();
    const sut = client(`127.0.0.1:${closed}`, { deadlineMs: 1_000 });
    const started = Date.now();
    await expect(
      sut.call('getProduct', { id: 'p1', includeUnlisted: false }, { idempotent: true }),
    ).rejects.toMatchObject({
      code: expect.any(Number),
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('waits for a service that starts listening after the first attempt failed, within the deadline', async () => {
    // As at start-up, when every service boots at once: the first attempt finds nothing and the
    // channel backs off; the retry waits for the channel to connect instead of failing at once.
    const later = await freePort();
    const sut = client(`127.0.0.1:${later}`, { deadlineMs: 5_000, backoffMs: 1 });
    const answer = sut.call(
      'getProduct',
      { id: 'p1', includeUnlisted: false },
      { idempotent: true, caller: null },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const probe = await startProbe(later);
    try {
      await expect(answer).resolves.toMatchObject({ product: { id: 'p1' } });
    } finally {
      await probe.close();
    }
  });
});

describe(`${ServiceClient.name} retries`, () => {
  function flakyStub(failures: number, code: number) {
    const calls = { count: 0 };
    const stub = {
      getProduct: () => {
        calls.count++;
        if (calls.count <= failures) {
          return throwError(() => Object.assign(new Error('flaky'), { code }) as ServiceError);
        }
        return new Observable((subscriber) => {
          subscriber.next({ product: { id: 'ok' } });
          subscriber.complete();
        });
      },
    } as unknown as catalog.CatalogServiceClient;
    return { stub, calls };
  }

  const settings = { signer: signer('gateway'), deadlineMs: 1_000, retries: 2, backoffMs: 1 };
  const channel = (stub: catalog.CatalogServiceClient) => ({
    stub,
    audience: 'catalog' as const,
    pathPrefix: '/yugong.catalog.v1.CatalogService/',
    connectivity: () => connectivityState.READY,
    waitForReady: async () => undefined,
    close: () => undefined,
  });

  it('retries an idempotent call on UNAVAILABLE, at most `retries` times', async () => {
    const recovering = flakyStub(2, status.UNAVAILABLE);
    await expect(
      new ServiceClient(channel(recovering.stub), settings).call(
        'getProduct',
        { id: 'x', includeUnlisted: false },
        { idempotent: true },
      ),
    ).resolves.toMatchObject({
      product: { id: 'ok' },
    });
    expect(recovering.calls.count).toBe(3);

    const down = flakyStub(10, status.UNAVAILABLE);
    await expect(
      new ServiceClient(channel(down.stub), settings).call(
        'getProduct',
        { id: 'x', includeUnlisted: false },
        { idempotent: true },
      ),
    ).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(down.calls.count).toBe(3);
  });

  it('never repeats a call that is not idempotent, nor other failures', async () => {
    const write = flakyStub(1, status.UNAVAILABLE);
    await expect(
      new ServiceClient(channel(write.stub), settings).call('getProduct', {
        id: 'x',
        includeUnlisted: false,
      }),
    ).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(write.calls.count).toBe(1);
    const invalid = flakyStub(1, status.INVALID_ARGUMENT);
    await expect(
      new ServiceClient(channel(invalid.stub), settings).call(
        'getProduct',
        { id: 'x', includeUnlisted: false },
        { idempotent: true },
      ),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(invalid.calls.count).toBe(1);
  });
});

describe('service identity: attacks on an internal gRPC method', () => {
  let app: INestMicroservice;
  let port: number;
  let raw: ReturnType<typeof grpcTestClient<catalog.CatalogServiceClient>>;
  const request = { id: 'p1', includeUnlisted: false };
  const claims = (over: Partial<Parameters<typeof signTestAssertion>[0]> = {}) => ({
    iss: 'gateway',
    aud: 'catalog',
    rpc: '/yugong.catalog.v1.CatalogService/GetProduct',
    act: 'anonymous' as const,
    ...over,
  });

  beforeAll(async () => {
    port = await freePort();
    const server = grpcServer({
      service: 'catalog',
      packageName: 'yugong.catalog.v1',
      serviceNames: ['yugong.catalog.v1.CatalogService'],
      host: '127.0.0.1',
      port,
      reflection: false,
    });
    app = await NestFactory.createMicroservice(ProbeModule, { ...server.options, logger: false });
    server.strategy.useRequestContext(null);
    await app.listen();
    markServing(server, ['yugong.catalog.v1.CatalogService']);
    raw = grpcTestClient(GRPC_SERVICES.catalog, `127.0.0.1:${port}`);
  });

  afterAll(async () => {
    raw?.close();
    await app?.close();
  });

  const refused = (code: number) => ({ code });

  it('no assertion at all: UNAUTHENTICATED', async () => {
    await expect(raw.call('getProduct', request, null, { assertion: '' })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('the old shared token and an unsigned caller header: UNAUTHENTICATED', async () => {
    const metadata = new Metadata();
    metadata.set('x-service-token', 'dev-only-service-token-change-me');
    metadata.set('x-caller', JSON.stringify({ userId: 'u', role: 'admin', producerIds: [] }));
    const definition = loadSync(protoPath('catalog'), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    const method = (definition['yugong.catalog.v1.CatalogService'] as ServiceDefinition).GetProduct;
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        (e) => resolve(e),
      ),
    );
    client.close();
    expect(error?.code).toBe(status.UNAUTHENTICATED);
  });

  it("a leaked catalog key can't speak as the gateway: UNAUTHENTICATED", async () => {
    const forged = signTestAssertion(claims(), { key: TEST_SERVICE_KEYS.catalog.signingKey });
    await expect(raw.call('getProduct', request, null, { assertion: forged })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('a key of no service of ours: UNAUTHENTICATED', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const forged = signTestAssertion(claims(), { key: stranger });
    await expect(raw.call('getProduct', request, null, { assertion: forged })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('an assertion made for another method, replayed: UNAUTHENTICATED', async () => {
    const other = signTestAssertion(claims({ rpc: '/yugong.catalog.v1.CatalogService/ListProducts' }));
    await expect(raw.call('getProduct', request, null, { assertion: other })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('an assertion made for another service, replayed: UNAUTHENTICATED', async () => {
    const other = signTestAssertion(claims({ aud: 'orders' }));
    await expect(raw.call('getProduct', request, null, { assertion: other })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('an expired assertion: UNAUTHENTICATED', async () => {
    const old = signTestAssertion(claims(), { ttlSeconds: -30 });
    await expect(raw.call('getProduct', request, null, { assertion: old })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('a user smuggled into a call made "for nobody": UNAUTHENTICATED', async () => {
    const smuggled = signTestAssertion(
      claims({ act: 'anonymous', usr: { userId: 'u', role: 'admin', producerIds: [] } }),
    );
    await expect(raw.call('getProduct', request, null, { assertion: smuggled })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('an unsigned (alg none) assertion: UNAUTHENTICATED', async () => {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      ...claims(),
      exp: Math.floor(Date.now() / 1000) + 60,
    })}.`;
    await expect(raw.call('getProduct', request, null, { assertion: unsigned })).rejects.toMatchObject(
      refused(status.UNAUTHENTICATED),
    );
  });

  it('a genuine service the method does not accept: PERMISSION_DENIED', async () => {
    await expect(raw.call('getProduct', request, null, { from: 'beneficiaries' })).rejects.toMatchObject(
      refused(status.PERMISSION_DENIED),
    );
  });

  it('an accepted service for the wrong principal: PERMISSION_DENIED', async () => {
    // The gateway acting for itself, or orders acting for no user, on a method that wants a user.
    await expect(raw.call('getProduct', request, 'service')).rejects.toMatchObject(
      refused(status.PERMISSION_DENIED),
    );
    await expect(
      raw.call('holdStock', { orderId: 'o1', lines: [] }, 'service', { from: 'orders' }),
    ).rejects.toMatchObject(refused(status.PERMISSION_DENIED));
    await expect(
      raw.call('holdStock', { orderId: 'o1', lines: [] }, { userId: 'b', role: 'consumer', producerIds: [] }),
    ).rejects.toMatchObject(refused(status.PERMISSION_DENIED));
  });

  it('the same call, correctly signed, passes: the refusals above are about identity alone', async () => {
    await expect(
      raw.call(
        'holdStock',
        { orderId: 'o1', lines: [] },
        { userId: 'b', role: 'consumer', producerIds: [] },
        {
          from: 'orders',
        },
      ),
    ).resolves.toMatchObject({ held: true });
  });

  it('a method that declares no callers refuses everyone', async () => {
    for (const from of ['gateway', 'orders', 'catalog'] as const) {
      await expect(raw.call('listLots', { productId: 'p1' }, 'service', { from })).rejects.toMatchObject(
        refused(status.PERMISSION_DENIED),
      );
    }
  });

  it('health answers without an assertion; reflection is not served unless asked for', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & {
      check(request: object, callback: (error: Error | null, res?: { status?: unknown }) => void): void;
    };
    const answer = await new Promise<unknown>((resolve, reject) =>
      health.check({ service: '' }, (error, res) => (error ? reject(error) : resolve(res?.status))),
    );
    health.close();
    expect(answer === 1 || answer === 'SERVING').toBe(true);

    const reflection = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const code = await new Promise<number>((resolve) => {
      const call = reflection.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (value: Buffer) => value,
        (value: Buffer) => value,
      );
      call.on('error', (error: ServiceError) => resolve(error.code));
      call.on('data', () => resolve(status.OK));
      call.write(Buffer.from([0x3a, 0x01, 0x2a])); // list_services: "*"
      call.end();
    });
    reflection.close();
    expect(code).toBe(status.UNIMPLEMENTED);
  });
});
