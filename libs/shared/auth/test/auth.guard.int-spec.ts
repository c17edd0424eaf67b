import 'reflect-metadata';

import { Controller, Get, Param, type INestApplication } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { HttpErrorFilter } from '@yugong/shared/errors';
import request from 'supertest';

import {
  AuthGuard,
  Caller,
  Public,
  requireProducerAccess,
  Roles,
  TokenService,
  type CallerIdentity,
} from '../src';

const SECRET = 'a-test-secret-of-at-least-32-characters';

@Controller()
class ProbeController {
  @Public()
  @Get('catalogue')
  catalogue(@Caller() caller: CallerIdentity | null) {
    return { caller };
  }

  @Get('me')
  me(@Caller() caller: CallerIdentity) {
    return { caller };
  }

  @Roles('relief_officer', 'admin')
  @Get('households')
  households(@Caller() caller: CallerIdentity) {
    return { userId: caller.userId };
  }

  @Public()
  @Roles('admin')
  @Get('public-but-admin')
  publicButAdmin() {
    return { ok: true };
  }

  @Get('producers/:id/lots')
  lots(@Param('id') id: string, @Caller() caller: CallerIdentity) {
    requireProducerAccess(caller, id);
    return { producerId: id };
  }
}

@Roles('auditor')
@Controller('audit')
class AuditController {
  @Get()
  report() {
    return { ok: true };
  }
}

describe(AuthGuard.name, () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let tokens: TokenService;
  let clock = Date.now();

  const bearer = async (caller: CallerIdentity) => `Bearer ${(await tokens.issue(caller)).accessToken}`;
  const consumer: CallerIdentity = { userId: 'u-consumer', role: 'consumer', producerIds: [] };
  const officer: CallerIdentity = { userId: 'u-officer', role: 'relief_officer', producerIds: [] };
  const staff: CallerIdentity = { userId: 'u-staff', role: 'producer_staff', producerIds: ['p-rabbits'] };

  beforeAll(async () => {
    tokens = new TokenService({ secret: SECRET, ttlSeconds: 900, issuer: 'yugong', now: () => clock });
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController, AuditController],
      providers: [
        { provide: TokenService, useValue: tokens },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost)));
    await app.init();
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    await fastify.ready();
    http = request(fastify.server);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lets anonymous callers reach a public route, as null', async () => {
    const res = await http.get('/catalogue');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: null });
  });

  it('identifies a signed-in caller on a public route', async () => {
    const res = await http.get('/catalogue').set('authorization', await bearer(consumer));

    expect(res.body).toEqual({ caller: consumer });
  });

  it('answers 401 on a protected route without a token', async () => {
    const res = await http.get('/me');

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'UNAUTHENTICATED', message: 'Authentication required' });
  });

  it('answers 200 with the caller for a valid token', async () => {
    const res = await http.get('/me').set('authorization', await bearer(staff));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ caller: staff });
  });

  it.each(['Basic dTpw', 'Bearer', 'Bearer a b', 'token-without-scheme'])(
    'answers 401 for the malformed header %p',
    async (header) => {
      const res = await http.get('/me').set('authorization', header);

      expect(res.status).toBe(401);
    },
  );

  it('answers 401 for a tampered token, even on a public route', async () => {
    const token = (await bearer(consumer)).slice(0, -2) + 'xx';

    expect((await http.get('/me').set('authorization', token)).status).toBe(401);
    expect((await http.get('/catalogue').set('authorization', token)).status).toBe(401);
  });

  it('answers 401 "Token expired" once the token has expired', async () => {
    const header = await bearer(consumer);
    clock += 901_000;
    try {
      const res = await http.get('/me').set('authorization', header);

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'UNAUTHENTICATED', message: 'Token expired' });
    } finally {
      clock -= 901_000;
    }
  });

  it('answers 403 when the role does not match @Roles, 200 when it does', async () => {
    const denied = await http.get('/households').set('authorization', await bearer(consumer));
    const allowed = await http.get('/households').set('authorization', await bearer(officer));

    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: 'PERMISSION_DENIED' });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ userId: 'u-officer' });
  });

  it('answers 401, not 403, to an anonymous caller on a role-restricted route', async () => {
    expect((await http.get('/households')).status).toBe(401);
    expect((await http.get('/public-but-admin')).status).toBe(401);
  });

  it('applies @Roles on a controller to all its routes', async () => {
    expect((await http.get('/audit').set('authorization', await bearer(officer))).status).toBe(403);
    expect(
      (await http.get('/audit').set('authorization', await bearer({ ...officer, role: 'auditor' }))).status,
    ).toBe(200);
  });

  it('lets a handler check ownership: staff act for their own producer only', async () => {
    const header = await bearer(staff);

    expect((await http.get('/producers/p-rabbits/lots').set('authorization', header)).status).toBe(200);
    expect((await http.get('/producers/p-cattle/lots').set('authorization', header)).status).toBe(403);
    expect(
      (await http.get('/producers/p-cattle/lots').set('authorization', await bearer(officer))).status,
    ).toBe(200);
  });
});
