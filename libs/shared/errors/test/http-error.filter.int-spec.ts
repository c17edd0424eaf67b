import 'reflect-metadata';

import { Metadata, status } from '@grpc/grpc-js';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  Logger,
  Post,
  ValidationPipe,
  type INestApplication,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsString, ValidateNested } from 'class-validator';
import request from 'supertest';

import {
  FailedPrecondition,
  HttpErrorFilter,
  NotFound,
  toRpcError,
  validationExceptionFactory,
} from '../src';

class PriceDto {
  @IsInt()
  fen!: number;
}

class CreateProductDto {
  @IsString()
  name!: string;

  @ValidateNested()
  @Type(() => PriceDto)
  price!: PriceDto;
}

/** The error a grpc-js client raises for a server's payload. */
function serviceError(code: number, details: string, metadata = new Metadata()): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

@Controller()
class ProbeController {
  @Post('products')
  create(@Body() body: CreateProductDto): CreateProductDto {
    return body;
  }

  @Post('default-pipe')
  defaultPipe(@Body(new ValidationPipe()) body: PriceDto): PriceDto {
    return body;
  }

  @Get('domain')
  domain(): never {
    throw new NotFound('product', 'p-1');
  }

  @Get('precondition')
  precondition(): never {
    throw new FailedPrecondition('INSUFFICIENT_STOCK', 'only 2 left', [
      { field: 'quantity', reason: 'exceeds stock' },
    ]);
  }

  @Get('grpc-not-found')
  grpcNotFound(): never {
    throw serviceError(
      status.NOT_FOUND,
      'product p-9 not found',
      toRpcError(new NotFound('product', 'p-9')).metadata,
    );
  }

  @Get('grpc-unavailable')
  grpcUnavailable(): never {
    throw serviceError(
      status.UNAVAILABLE,
      'No connection established. Last error: connect ECONNREFUSED 10.0.0.7:50051',
    );
  }

  @Get('grpc-deadline')
  grpcDeadline(): never {
    throw serviceError(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 2.001s');
  }

  @Get('grpc-internal')
  grpcInternal(): never {
    throw serviceError(status.INTERNAL, 'Internal error', toRpcError(new Error('boom')).metadata);
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('not your producer');
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException('short and stout', 418);
  }

  @Get('http-500')
  http500(): never {
    throw new HttpException('stack details here', 500);
  }

  @Get('bug')
  bug(): never {
    throw new Error('password=hunter2');
  }
}

describe(HttpErrorFilter.name, () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const logged: unknown[][] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 1024 }), {
      logger: false,
    });
    app.useGlobalPipes(
      new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        exceptionFactory: validationExceptionFactory,
      }),
    );
    app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost)));
    await app.init();
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    await fastify.ready();
    http = request(fastify.server);
  });

  beforeEach(() => {
    logged.length = 0;
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await app?.close();
  });

  it('passes a valid request through', async () => {
    const res = await http.post('/products').send({ name: 'rabbit', price: { fen: 1234 } });

    expect(res.status).toBe(201);
  });

  it('answers 400 VALIDATION_FAILED with every field and reason', async () => {
    const res = await http.post('/products').send({ name: 7, price: { fen: 1.5 }, foo: 1 });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      error: 'VALIDATION_FAILED',
      message: 'Validation failed',
      fields: expect.arrayContaining([
        { field: 'name', reason: 'must be a string' },
        { field: 'price.fen', reason: 'must be an integer number' },
        { field: 'foo', reason: 'is not allowed' },
      ]),
    });
  });

  it("turns the default ValidationPipe's messages into fields", async () => {
    const res = await http.post('/default-pipe').send({ fen: 'x' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'VALIDATION_FAILED',
      message: 'Validation failed',
      fields: [{ field: 'fen', reason: 'must be an integer number' }],
    });
  });

  it.each([
    ['/domain', 404, { error: 'PRODUCT_NOT_FOUND', message: 'product p-1 not found' }],
    [
      '/precondition',
      409,
      {
        error: 'INSUFFICIENT_STOCK',
        message: 'only 2 left',
        fields: [{ field: 'quantity', reason: 'exceeds stock' }],
      },
    ],
    ['/grpc-not-found', 404, { error: 'PRODUCT_NOT_FOUND', message: 'product p-9 not found' }],
    ['/grpc-unavailable', 503, { error: 'UNAVAILABLE', message: 'Service unavailable' }],
    ['/grpc-deadline', 504, { error: 'DEADLINE_EXCEEDED', message: 'Upstream service timed out' }],
    ['/grpc-internal', 500, { error: 'INTERNAL', message: 'Internal error' }],
    ['/forbidden', 403, { error: 'PERMISSION_DENIED', message: 'not your producer' }],
    ['/teapot', 418, { error: 'I_AM_A_TEAPOT', message: 'short and stout' }],
    ['/http-500', 500, { error: 'INTERNAL', message: 'Internal error' }],
    ['/bug', 500, { error: 'INTERNAL', message: 'Internal error' }],
    ['/no-such-route', 404, { error: 'NOT_FOUND', message: 'Cannot GET /no-such-route' }],
  ])('answers GET %s with %p %j', async (path, httpStatus, body) => {
    const res = await http.get(path);

    expect(res.status).toBe(httpStatus);
    expect(res.body).toEqual(body);
    expect(logged.length > 0).toBe(httpStatus >= 500);
  });

  it('logs an unknown error by message only', async () => {
    await http.get('/bug');

    expect(logged).toEqual([['Error: password=hunter2']]);
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await http.post('/products').send({ name: 'x'.repeat(2048), price: { fen: 1 } });

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await http.post('/products').set('content-type', 'application/json').send('{"name": ');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'MALFORMED_JSON', fields: [{ field: 'body' }] });
  });

  it('answers an empty JSON body with 400 MALFORMED_JSON', async () => {
    const res = await http.post('/products').set('content-type', 'application/json').send('');

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'MALFORMED_JSON' });
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await http.post('/products').set('content-type', 'application/xml').send('<product/>');

    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
