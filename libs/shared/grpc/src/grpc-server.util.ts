import type { ChannelOptions, Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { CustomStrategy } from '@nestjs/microservices';
import { PROTO_ROOT, protoPath } from '@yugong/contracts';
import { env } from '@yugong/shared/config';
import { HealthImplementation } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS } from './grpc.constants';
import { GrpcServerStrategy } from './grpc-server.strategy';

/**
 * How long a client keeps one connection to a server (README, "Past one machine"), the same in
 * every gRPC service: spread into the app's config schema and pass to {@link grpcServer}. After
 * the age (give or take a tenth, so that clients do not all reconnect at once) the server sends
 * GOAWAY: the client resolves the name again and connects anew, so pods a scale-up added get
 * calls within about one age; calls in flight have the grace to finish.
 */
export const grpcServerEnv = {
  /** Maximum age of a client's connection, ms (5 minutes). */
  GRPC_MAX_CONNECTION_AGE_MS: env.int(300_000, { min: 100, max: 86_400_000 }),
  /** Then how long calls in flight may still run before the connection closes, ms. */
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: env.int(30_000, { min: 0, max: 3_600_000 }),
};

/** A gRPC server's channel options for its clients' connections' maximum age and grace. */
export function connectionAgeOptions(age: { maxMs: number; graceMs: number }): ChannelOptions {
  return { 'grpc.max_connection_age_ms': age.maxMs, 'grpc.max_connection_age_grace_ms': age.graceMs };
}

/** What a service needs to serve its contract over gRPC. */
export interface GrpcServerSettings {
  /**
   * Folder name under `proto/yugong/`, e.g. `catalog`; several when the server also implements
   * another package's service (the ledger serves `yugong.orders.v1.OrderEventsConsumerService`).
   */
  service: string | string[];
  /** Fully qualified package(s), e.g. `yugong.catalog.v1` (use the generated `*_PACKAGE_NAME`). */
  packageName: string | string[];
  /** Fully qualified service names reported by the health service, e.g. `yugong.catalog.v1.CatalogService`. */
  serviceNames: string[];
  host: string;
  port: number;
  /**
   * Serve server reflection, which lists every method to anyone who asks: for grpcurl in
   * development (`npm start`), off in compose and k8s.
   */
  reflection: boolean;
  /** Its clients' connections' maximum age and grace ({@link grpcServerEnv}); unset: unlimited. */
  connectionAge?: { maxMs: number; graceMs: number };
  /**
   * Called with the loaded contract before the server is built from it, e.g. to swap in a
   * dedicated encoder for one method's answers.
   */
  onLoadPackageDefinition?: (definition: PackageDefinition) => void;
}

/**
 * A gRPC server's Nest options (a {@link GrpcServerStrategy}), plus the health service to flip
 * when the app is ready or stopping.
 */
export interface GrpcServer {
  options: CustomStrategy;
  strategy: GrpcServerStrategy;
  health: HealthImplementation;
}

/**
 * Builds the Nest gRPC transport options for one service, with the standard `grpc.health.v1.Health`
 * service (and, when asked, server reflection) registered on the same port. Both bypass the
 * service's interceptors, so they answer without an assertion: health tells only SERVING or not,
 * for orchestrators' probes, which cannot sign. Health starts NOT_SERVING; call `markServing`
 * once the app has started. Before `app.listen()`, give the strategy the app's ORM
 * (`server.strategy.useRequestContext(app.get(MikroORM))`): each call runs in a request context of it.
 */
export function grpcServer(settings: GrpcServerSettings): GrpcServer {
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  const strategy = new GrpcServerStrategy(
    {
      url: `${settings.host}:${settings.port}`,
      package: settings.packageName,
      protoPath: ([] as string[]).concat(settings.service).map(protoPath),
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
      gracefulShutdown: true,
      channelOptions: settings.connectionAge && connectionAgeOptions(settings.connectionAge),
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        settings.onLoadPackageDefinition?.(definition);
        health.addToServer(server);
        if (settings.reflection) {
          new ReflectionService(definition).addToServer(server);
        }
      },
    },
    ([] as string[]).concat(settings.service)[0],
  );
  return { options: { strategy }, strategy, health };
}

/** Reports every named service, and the server as a whole, as SERVING. */
export function markServing(server: GrpcServer, serviceNames: string[]): void {
  server.health.setStatus('', 'SERVING');
  for (const name of serviceNames) {
    server.health.setStatus(name, 'SERVING');
  }
}

/** Reports NOT_SERVING so balancers drain this instance before it stops. */
export function markNotServing(server: GrpcServer, serviceNames: string[]): void {
  server.health.setStatus('', 'NOT_SERVING');
  for (const name of serviceNames) {
    server.health.setStatus(name, 'NOT_SERVING');
  }
}
