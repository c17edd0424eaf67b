// The compose health check for gRPC services: tools/deploy/bin/grpc-health-probe.cjs against a
// real gRPC server with the standard health service.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

const PROBE = path.resolve(__dirname, '../bin/grpc-health-probe.cjs');

/** Runs the probe in a child process (asynchronously: the server under test shares this event loop). */
function probe(target: string, service?: string): Promise<{ status: number | null; stderr: string }> {
  const args = [PROBE, target, ...(service === undefined ? [] : [service])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { timeout: 15_000, env: { ...process.env, PROBE_TIMEOUT_MS: '1500' } },
      (error, _stdout, stderr) => {
        resolve({
          status: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stderr: String(stderr),
        });
      },
    );
  });
}

describe('grpc-health-probe.cjs', () => {
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  const server = new Server();
  let target = '';

  beforeAll(async () => {
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    target = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('fails while the server reports NOT_SERVING', async () => {
    const result = await probe(target);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('NOT_SERVING');
  });

  it('passes once the server reports SERVING, and checks a named service when asked', async () => {
    health.setStatus('', 'SERVING');
    expect((await probe(target)).status).toBe(0);
    expect((await probe(target, 'yugong.catalog.v1.CatalogService')).status).toBe(1);
    health.setStatus('yugong.catalog.v1.CatalogService', 'SERVING');
    expect((await probe(target, 'yugong.catalog.v1.CatalogService')).status).toBe(0);
  });

  it('fails when nothing listens', async () => {
    const result = await probe('127.0.0.1:1');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('health check of 127.0.0.1:1 failed');
  });
});
