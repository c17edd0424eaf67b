// Every service of the table in this one Node process: `npm start`'s default, the "single binary,
// all targets" mode. Each service is still its own Nest application with its own configuration
// (read from its own environment object, never from process.env), its own gRPC port, database,
// pool and service key; they still call each other over gRPC on loopback. What they share is the
// Node runtime, the loaded code (Nest, MikroORM, grpc-js are loaded once) and the V8 heap.
//
// Convention every service keeps (README, Contributing, "How a service starts"):
// - dist/apps/<svc>/src/<svc>.bootstrap.js exports start<Svc>(config, options?) that resolves to
//   `{ close() }` once the service is ready (undefined with MIGRATE_ONLY), and leaves process
//   signals alone when options.shutdownHooks is false;
// - dist/apps/<svc>/src/config/<svc>.config.js exports <svc>Config(env) that validates `env`.
import { createRequire } from 'node:module';
import path from 'node:path';

const capitalised = (name) => `${name[0].toUpperCase()}${name.slice(1)}`;

/**
 * The compiled start function and config loader of service `name` under `root`.
 *
 * @param {string} root  repository root (dist/ beneath it)
 * @param {string} name
 */
export function loadService(root, name) {
  const require = createRequire(path.join(root, 'package.json'));
  const src = path.join(root, 'dist', 'apps', name, 'src');
  const bootstrap = require(path.join(src, `${name}.bootstrap.js`));
  const configModule = require(path.join(src, 'config', `${name}.config.js`));
  const start = bootstrap[`start${capitalised(name)}`];
  const config = configModule[`${name}Config`];
  if (typeof start !== 'function' || typeof config !== 'function') {
    throw new Error(
      `${name}: apps/${name}/src/${name}.bootstrap.ts must export start${capitalised(name)}() and ` +
        `apps/${name}/src/config/${name}.config.ts ${name}Config() to run in one process`,
    );
  }
  return { start, config };
}

/**
 * Boots `services` in this process, all at once (each waits for no other: the gRPC channels
 * connect on first call). Rejects, after closing whatever did start, naming every service that
 * failed and why (a bad setting names the variable).
 *
 * @param {object} options
 * @param {string} options.root
 * @param {string[]} options.services                   names, in the table's order
 * @param {(name: string) => Record<string, string>} options.envOf  the service's whole environment
 * @param {string} options.logLevel
 * @param {{ write(line: string): void }} [options.logDestination]  every service's log lines
 * @param {Record<string, Promise<unknown>>} [options.waitFor]  what a service waits for before it boots
 * @param {(name: string, ms: number) => void} [options.onReady]
 * @returns {Promise<{ close(): Promise<void> } | undefined>}  undefined when every service only migrated
 */
export async function startInProcess({
  root,
  services,
  envOf,
  logLevel,
  logDestination,
  waitFor = {},
  onReady,
}) {
  const require = createRequire(path.join(root, 'package.json'));
  // One tracing SDK for the process (when OTEL_EXPORTER_OTLP_ENDPOINT is set), started before the
  // services load pg and ioredis; each span still names its service (libs/shared/telemetry).
  require(path.join(root, 'dist', 'libs', 'shared', 'telemetry', 'src', 'index.js')).startTracingFromEnv(
    'yugong',
  );
  require('reflect-metadata');
  const logging = require(path.join(root, 'dist', 'libs', 'shared', 'logging', 'src', 'index.js'));
  logging.setLogDestination(logDestination);
  // Nest keeps one logger and one start-up buffer per process (statics of @nestjs/common's Logger):
  // with `bufferLogs` every app's start-up lines would wait in that one buffer and come out under
  // the name of the first app to attach its logger. Here Nest's logger is nestjs-pino's from the
  // start, which writes each line under the service whose async context it runs in (lines outside
  // every service's: `platform`), so nothing needs buffering.
  const nest = require('@nestjs/common');
  const nestPino = require('nestjs-pino');
  const params = logging.serviceLoggerParams('platform', logLevel);
  nest.Logger.overrideLogger(new nestPino.Logger(new nestPino.PinoLogger(params), params));
  nest.Logger.attachBuffer = () => undefined;
  const loaded = services.map((name) => ({ name, ...loadService(root, name) }));

  const outcomes = await Promise.allSettled(
    loaded.map(({ name, start, config }) =>
      // Each service's lines carry its own name: see runAsService in libs/shared/logging.
      logging.runAsService(name, logLevel, async () => {
        await waitFor[name];
        const started = Date.now();
        // The gateway's option; the others take none they would misread.
        const running = await start(config(envOf(name)), { shutdownHooks: false });
        onReady?.(name, Date.now() - started);
        return running;
      }),
    ),
  );
  const running = outcomes
    .map((outcome, index) => ({ name: loaded[index].name, outcome }))
    .filter(({ outcome }) => outcome.status === 'fulfilled' && outcome.value)
    .map(({ name, outcome }) => ({ name, app: /** @type {any} */ (outcome).value }));
  const close = async () => {
    // The public door first, so that no request arrives at a service already closed.
    const gateway = running.filter((r) => r.name === 'gateway');
    const others = running.filter((r) => r.name !== 'gateway');
    const failures = [];
    for (const group of [gateway, others]) {
      const results = await Promise.allSettled(group.map((r) => r.app.close()));
      results.forEach((result, index) => {
        if (result.status === 'rejected') {
          failures.push(`${group[index].name}: ${result.reason?.message ?? result.reason}`);
        }
      });
    }
    if (failures.length > 0) {
      throw new Error(`closing: ${failures.join('; ')}`);
    }
  };

  const failed = outcomes
    .map((outcome, index) => ({ name: loaded[index].name, outcome }))
    .filter(({ outcome }) => outcome.status === 'rejected');
  if (failed.length > 0) {
    await close().catch(() => undefined);
    throw new Error(
      failed
        .map(
          ({ name, outcome }) =>
            `${name} failed to start: ${/** @type {PromiseRejectedResult} */ (outcome).reason?.message ?? /** @type {PromiseRejectedResult} */ (outcome).reason}`,
        )
        .join('\n'),
    );
  }
  return running.length > 0 ? { close } : undefined;
}
