import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import { catalog } from '@yugong/contracts';
import { GrpcExceptionFilter, NotFound } from '@yugong/shared/errors';
import { freePort } from '@yugong/shared/testing';
import { Observable, throwError } from 'rxjs';
import {
  callerOf,
  createGrpcStub,
  GrpcContextInterceptor,
  grpcServer,
  markServing,
  requestIdOf,
  SERVICE_TOKEN,
  ServiceClient,
} from '../src';

const TOKEN = 'grpc-lib-test-token-0123456789';

/** A stand-in catalog whose GetProduct reports what it received, or sleeps, or fails. */
@Controller()
class ProbeController {
  @GrpcMethod(catalog.CATALOG_SERVICE_NAME, 'GetProduct')
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
    return {
      product: {
        id: request.id,
        producerId: caller?.userId ?? '',
        nameZh: requestIdOf(metadata) ?? '',
        nameEn: caller?.role ?? 'anonymous',
        category: '',
        unit: '',
        imageUrls: [],
        originVillage: '',
        reliefCertification: '',
        status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE,
        stock: 0,
        stockSourceProductId: '',
        producerName: '',
        town: '',
      },
    };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    { provide: SERVICE_TOKEN, useValue: TOKEN },
    { provide: APP_INTERCEPTOR, useClass: GrpcContextInterceptor },
    { provide: APP_FILTER, useClass: GrpcExceptionFilter },
  ],
})
class ProbeModule {}

describe('gRPC server and client helpers', () => {
  let app: INestMicroservice;
  let port: number;
  const stubs: { close(): void }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const serviceNames = ['yugong.catalog.v1.CatalogService'];
    const server = grpcServer({
      service: 'catalog',
      packageName: 'yugong.catalog.v1',
      serviceNames,
      host: '127.0.0.1',
      port,
    });
    app = await NestFactory.createMicroservice(ProbeModule, { ...server.options, logger: false });
    await app.listen();
    markServing(server, serviceNames);
  });

  afterAll(async () => {
    stubs.forEach((stub) => stub.close());
    await app?.close();
  });

  function client(url: string, settings: Partial<ConstructorParameters<typeof ServiceClient>[1]> = {}) {
    const stub = createGrpcStub<catalog.CatalogServiceClient>({
      url,
      service: 'catalog',
      packageName: 'yugong.catalog.v1',
      serviceName: 'CatalogService',
    });
    stubs.push(stub);
    return new ServiceClient(stub.stub, {
      serviceToken: TOKEN,
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
    expect(res.product).toMatchObject({ id: 'p1', producerId: 'u1', nameEn: 'auditor', nameZh: 'req-42' });
  });

  it('refuses a caller without the service credential', async () => {
    const sut = client(`127.0.0.1:${port}`, { serviceToken: 'not-the-token-at-all' });
    await expect(sut.call('getProduct', { id: 'p1', includeUnlisted: false })).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it('maps domain errors to their status', async () => {
    const sut = client(`127.0.0.1:${port}`);
    await expect(sut.call('getProduct', { id: 'missing', includeUnlisted: false })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  });

  it('gives up at the deadline', async () => {
    const sut = client(`127.0.0.1:${port}`, { deadlineMs: 100 });
    const started = Date.now();
    await expect(
      sut.call('getProduct', { id: 'slow', includeUnlisted: false }, { idempotent: true }),
    ).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
    expect(Date.now() - started).toBeLessThan(450);
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

  const settings = { serviceToken: TOKEN, deadlineMs: 1_000, retries: 2, backoffMs: 1 };

  it('retries an idempotent call on UNAVAILABLE, at most `retries` times', async () => {
    const recovering = flakyStub(2, status.UNAVAILABLE);
    await expect(
      new ServiceClient(recovering.stub, settings).call(
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
      new ServiceClient(down.stub, settings).call(
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
      new ServiceClient(write.stub, settings).call('getProduct', { id: 'x', includeUnlisted: false }),
    ).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(write.calls.count).toBe(1);
    const invalid = flakyStub(1, status.INVALID_ARGUMENT);
    await expect(
      new ServiceClient(invalid.stub, settings).call(
        'getProduct',
        { id: 'x', includeUnlisted: false },
        { idempotent: true },
      ),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(invalid.calls.count).toBe(1);
  });
});
