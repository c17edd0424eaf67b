import type { PackageDefinition } from '@grpc/proto-loader';
import { MikroORM } from '@mikro-orm/core';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { migrate } from '@yugong/shared/orm';
import { openMetricsEndpoint } from '@yugong/shared/telemetry';
import { Logger } from 'nestjs-pino';
import { grpcServer, markNotServing, markServing } from './grpc-server.util';

/** What every gRPC service's config schema holds for {@link startGrpcService}. */
export interface GrpcServiceConfig {
  GRPC_HOST: string;
  GRPC_PORT: number;
  GRPC_REFLECTION: boolean;
  GRPC_MAX_CONNECTION_AGE_MS: number;
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: number;
  DATABASE_URL: string;
  MIGRATE_ONLY: boolean;
  METRICS_PORT?: number;
}

/** A gRPC service as `start<Svc>` returns it. */
export interface RunningGrpcService {
  app: INestMicroservice;
  /** Drains (NOT_SERVING), closes the app and its metrics port, then releases what it opened. */
  close(): Promise<void>;
}

/** One gRPC service: what it serves, its root module, and what it opened before. */
export interface GrpcServiceSpec {
  /** Its name in log lines, e.g. `catalog`. */
  name: string;
  /** Folder(s) under `proto/yugong/` it serves, as {@link grpcServer} takes them. */
  service: string | string[];
  /** Its package(s) (the generated `*_PACKAGE_NAME`). */
  packageName: string | string[];
  /** Fully qualified service names its health reports SERVING once it is ready. */
  serviceNames: string[];
  config: GrpcServiceConfig;
  /** The app's root module (`AppModule.forRoot(…)`). */
  module: DynamicModule;
  /**
   * Releases what the service opened before its module (client channels, Redis, caches): called
   * once the app has closed, also after MIGRATE_ONLY and when the boot fails.
   */
  release?: () => Promise<void> | void;
  /** Logged as warnings once the logger is up (e.g. a store kept in-process for want of Redis). */
  warnings?: string[];
  /** Runs after the migrations and before the port opens (the demo data). */
  prepare?: (app: INestMicroservice, logger: Logger) => Promise<void>;
  /** Called with the loaded contract before the server is built from it (a dedicated encoder). */
  onLoadPackageDefinition?: (definition: PackageDefinition) => void;
}

/**
 * Boots a gRPC service the one way every service boots: builds its Nest microservice on a
 * {@link grpcServer} (health, reflection when asked, connection age), migrates its database under
 * the advisory lock, stops there with MIGRATE_ONLY, runs `prepare`, then serves its port (each call
 * in a request context of its ORM) and its metrics port, and reports SERVING. A boot that fails
 * closes what it opened, so that a caller may try again (the e2e platform does on a taken port).
 *
 * @returns the running service, or undefined with MIGRATE_ONLY
 */
export async function startGrpcService(spec: GrpcServiceSpec): Promise<RunningGrpcService | undefined> {
  const { config } = spec;
  const release = async () => {
    await spec.release?.();
  };
  const server = grpcServer({
    service: spec.service,
    packageName: spec.packageName,
    serviceNames: spec.serviceNames,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    reflection: config.GRPC_REFLECTION,
    connectionAge: {
      maxMs: config.GRPC_MAX_CONNECTION_AGE_MS,
      graceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    },
    onLoadPackageDefinition: spec.onLoadPackageDefinition,
  });
  let app: INestMicroservice;
  try {
    app = await NestFactory.createMicroservice(spec.module, { ...server.options, bufferLogs: true });
  } catch (error) {
    await release();
    throw error;
  }
  try {
    const logger = app.get(Logger);
    app.useLogger(logger);
    for (const warning of spec.warnings ?? []) {
      logger.warn(warning);
    }
    const orm = app.get(MikroORM);
    const applied = await migrate(orm, config.DATABASE_URL);
    if (applied.length > 0) {
      logger.log(`applied migrations: ${applied.join(', ')}`);
    }
    if (config.MIGRATE_ONLY) {
      await app.close();
      await release();
      return undefined;
    }
    await spec.prepare?.(app, logger);
    server.strategy.useRequestContext(orm);
    await app.listen();
    const metrics = await openMetricsEndpoint(config.METRICS_PORT, config.GRPC_HOST);
    markServing(server, spec.serviceNames);
    logger.log(`${spec.name} serving gRPC on ${config.GRPC_HOST}:${config.GRPC_PORT}`);
    return {
      app,
      close: async () => {
        markNotServing(server, spec.serviceNames);
        await app.close();
        await metrics?.close();
        await release();
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    await release();
    throw error;
  }
}
