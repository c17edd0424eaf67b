import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';

/** An open `/metrics` listener. */
export interface MetricsEndpoint {
  /** The port it listens on (the one asked for, or the one chosen for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves this process's Prometheus metrics (`GET /metrics`, prom-client's default registry) on a
 * listener of its own: how a gRPC service, which has no HTTP server, is scraped. Answers
 * undefined when no port is configured.
 */
export async function openMetricsEndpoint(
  port: number | undefined,
  host: string,
): Promise<MetricsEndpoint | undefined> {
  if (port === undefined) {
    return undefined;
  }
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    register.metrics().then(
      (text) => response.writeHead(200, { 'content-type': register.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
