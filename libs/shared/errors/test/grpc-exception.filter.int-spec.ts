import { join } from 'node:path';

import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Controller, Logger, type INestMicroservice } from '@nestjs/common';
import { GrpcMethod, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { freePort } from '@yugong/shared/testing';
import { throwError } from 'rxjs';

import { GrpcExceptionFilter, NotFound, ValidationFailed, fromRpcError } from '../src';

const PROTO_PATH = join(__dirname, 'fixtures', 'probe.proto');

class ProductNotFound extends NotFound {
  constructor(id: string) {
    super('product', id);
  }
}

@Controller()
class ProbeController {
  @GrpcMethod('ProbeService', 'Probe')
  async probe({ outcome }: { outcome: string }): Promise<unknown> {
    switch (outcome) {
      case 'not_found':
        throw new ProductNotFound('p-42');
      case 'validation':
        throw new ValidationFailed([{ field: 'outcome', reason: '不能为空' }], 'bad probe');
      case 'bug':
        throw new Error('connection to db.internal:5432 failed for user relief');
      case 'async_bug':
        await Promise.resolve();
        throw new TypeError('cannot read properties of undefined');
      case 'observable':
        return throwError(() => new ProductNotFound('p-7'));
      default:
        return { echo: outcome };
    }
  }
}

interface ProbeClient extends Client {
  Probe(
    request: { outcome: string },
    callback: (err: ServiceError | null, response?: { echo: string }) => void,
  ): void;
}

describe(GrpcExceptionFilter.name, () => {
  let app: INestMicroservice;
  let client: ProbeClient;
  const logged: unknown[][] = [];

  beforeAll(async () => {
    // Nest's gRPC server does not report the port it bound for `:0`: ask the OS for one first.
    const url = `127.0.0.1:${await freePort()}`;
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    app = moduleRef.createNestMicroservice<MicroserviceOptions>({
      transport: Transport.GRPC,
      options: { url, package: 'yugong.probe.v1', protoPath: PROTO_PATH },
    });
    app.useLogger(false);
    app.useGlobalFilters(new GrpcExceptionFilter());
    await app.listen();

    const pkg = loadPackageDefinition(loadSync(PROTO_PATH)) as unknown as {
      yugong: { probe: { v1: { ProbeService: ServiceClientConstructor } } };
    };
    client = new pkg.yugong.probe.v1.ProbeService(
      url,
      credentials.createInsecure(),
    ) as unknown as ProbeClient;
  });

  beforeEach(() => {
    logged.length = 0;
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  function probe(outcome: string): Promise<ServiceError> {
    return new Promise((resolve, reject) =>
      client.Probe({ outcome }, (err, response) =>
        err ? resolve(err) : reject(new Error(`expected an error, got ${JSON.stringify(response)}`)),
      ),
    );
  }

  it('answers normally when nothing is thrown', async () => {
    const response = await new Promise((resolve, reject) =>
      client.Probe({ outcome: 'ok' }, (err, res) => (err ? reject(err) : resolve(res))),
    );

    expect(response).toEqual({ echo: 'ok' });
  });

  it('sends a thrown NotFound as NOT_FOUND with its code in the trailers', async () => {
    const err = await probe('not_found');

    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.details).toBe('product p-42 not found');
    expect(err.metadata).toBeInstanceOf(Metadata);
    expect(err.metadata.get('x-error-code')).toEqual(['PRODUCT_NOT_FOUND']);
    expect(logged).toEqual([]);
  });

  it('sends an error emitted by a returned Observable the same way', async () => {
    const err = await probe('observable');

    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.metadata.get('x-error-code')).toEqual(['PRODUCT_NOT_FOUND']);
  });

  it('sends the fields of a ValidationFailed, readable with fromRpcError', async () => {
    const err = await probe('validation');

    expect(fromRpcError(err)).toEqual({
      status: status.INVALID_ARGUMENT,
      code: 'VALIDATION_FAILED',
      message: 'bad probe',
      fields: [{ field: 'outcome', reason: '不能为空' }],
    });
  });

  it.each(['bug', 'async_bug'])(
    'answers the unknown error of %p as INTERNAL, logs it and leaks nothing',
    async (outcome) => {
      const err = await probe(outcome);

      expect(err.code).toBe(status.INTERNAL);
      expect(err.details).toBe('Internal error');
      expect(JSON.stringify([err.message, err.metadata.getMap()])).not.toMatch(/db\.internal|undefined/);
      expect(err.metadata.get('x-error-code')).toEqual(['INTERNAL']);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toHaveLength(1);
      expect(String(logged[0]?.[0])).toMatch(/Error: (connection|cannot read)/);
    },
  );
});
