import { Entity, PrimaryKey } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import { catalog } from '@yugong/contracts';
import { serviceLoggerParams } from '@yugong/shared/logging';
import { ormOptions } from '@yugong/shared/orm';
import { createTestDatabase, freePort, testRedisUrl, type TestDatabase } from '@yugong/shared/testing';
import { Redis } from 'ioredis';
import { LoggerModule } from 'nestjs-pino';
import net from 'node:net';
import { Client } from 'pg';
import { startGrpcService, type GrpcServiceConfig } from '../src';

/** The one table of the probe service. */
@Entity({ tableName: 'probe' })
class Probe {
  @PrimaryKey()
  id!: number;
}

@Module({})
class ProbeModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: ProbeModule,
      imports: [
        LoggerModule.forRoot(serviceLoggerParams('probe', 'silent')),
        MikroOrmModule.forRoot(ormOptions({ url, entities: [Probe], migrations: [], poolMax: 2 })),
      ],
    };
  }
}

/**
 * The one boot sequence of every gRPC service: what a boot opens is released when the service
 * closes, when it only migrates, and when the boot fails (a taken port), so that a caller may try
 * again without leaking connections.
 */
describe(startGrpcService.name, () => {
  let db: TestDatabase;
  let admin: Client;
  const redisUrl = testRedisUrl();

  beforeAll(async () => {
    db = await createTestDatabase('grpc_service');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  /** Connections to the test database other than the test's own. */
  const serviceConnections = async () =>
    Number(
      (
        await admin.query(
          'select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        )
      ).rows[0].n,
    );

  /** Something the service opened before its module, released by `release`. */
  const opened = () => (redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 0 }) : undefined);

  /** Whether `redis` was released: a command on it fails for a closed connection. */
  const released = async (redis: Redis | undefined) => {
    if (redis) {
      await expect(redis.ping()).rejects.toThrow(/Connection is closed/);
    }
  };

  async function start(config: Partial<GrpcServiceConfig>, redis: Redis | undefined) {
    return startGrpcService({
      name: 'probe',
      service: 'catalog',
      packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
      serviceNames: [`${catalog.YUGONG_CATALOG_V1_PACKAGE_NAME}.${catalog.CATALOG_SERVICE_NAME}`],
      config: {
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: await freePort(),
        GRPC_REFLECTION: false,
        GRPC_MAX_CONNECTION_AGE_MS: 300_000,
        GRPC_MAX_CONNECTION_AGE_GRACE_MS: 1_000,
        DATABASE_URL: db.url,
        MIGRATE_ONLY: false,
        ...config,
      },
      module: ProbeModule.forRoot(db.url),
      release: async () => {
        await redis?.quit();
      },
    });
  }

  it('serves, then on close releases what it was given and its database connections', async () => {
    const redis = opened();
    const running = await start({}, redis);
    expect(running).toBeDefined();
    await running!.close();
    await released(redis);
    expect(await serviceConnections()).toBe(0);
  });

  it('releases everything after MIGRATE_ONLY and answers undefined', async () => {
    const redis = opened();
    expect(await start({ MIGRATE_ONLY: true }, redis)).toBeUndefined();
    await released(redis);
    expect(await serviceConnections()).toBe(0);
  });

  it('on a taken port rejects, and leaves no connection behind', async () => {
    const taken = net.createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as net.AddressInfo).port)),
    );
    const redis = opened();
    try {
      await expect(start({ GRPC_PORT: port }, redis)).rejects.toThrow(/EADDRINUSE|address already in use/i);
    } finally {
      taken.close();
    }
    await released(redis);
    expect(await serviceConnections()).toBe(0);
  });
});
