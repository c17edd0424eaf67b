import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrowserTracer, randomHex, traceparentOf } from './trace.util';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(00|01)$/;

/** Runs a request through the middleware as openapi-fetch does, answering `status`. */
async function throughMiddleware(tracer: BrowserTracer, id: string, status: number) {
  const middleware = tracer.middleware();
  const request = new Request('http://localhost/api/v1/orders/abc?q=secret', { method: 'GET' });
  const params = { request, schemaPath: '/api/v1/orders/{id}', params: {}, id, options: {} as never };
  const sent = (await middleware.onRequest!(params)) as Request;
  await middleware.onResponse!({ ...params, request: sent, response: new Response(null, { status }) });
  return sent.headers.get('traceparent');
}

describe('browser trace context', () => {
  it('makes ids of the right length, in lower-case hex, different each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomHex(16)));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes a W3C traceparent, sampled only when the browser records the trace', () => {
    const trace = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    expect(traceparentOf({ ...trace, sampled: true })).toBe(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
    expect(traceparentOf({ ...trace, sampled: false })).toBe(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`);
  });

  it('sends a new trace on every API request, unsampled when no collector is set', async () => {
    const tracer = new BrowserTracer();
    const first = await throughMiddleware(tracer, '1', 200);
    const second = await throughMiddleware(tracer, '2', 200);
    expect(first).toMatch(TRACEPARENT);
    expect(first!.endsWith('-00')).toBe(true);
    expect(TRACEPARENT.exec(first!)![1]).not.toBe(TRACEPARENT.exec(second!)![1]);
  });

  describe('with a collector', () => {
    let server: Server;
    let url: string;
    const received: { headers: Record<string, unknown>; body: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any

    beforeAll(async () => {
      server = createServer((request, response) => {
        let text = '';
        request.on('data', (chunk) => (text += chunk));
        request.on('end', () => {
          received.push({ headers: request.headers, body: JSON.parse(text) });
          response.writeHead(200).end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    });

    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('sends each request as a CLIENT span of the trace it sent, named by the path template', async () => {
      received.length = 0;
      const tracer = new BrowserTracer({ url, service: 'web-test' });
      const ok = await throughMiddleware(tracer, '1', 200);
      const failed = await throughMiddleware(tracer, '2', 503);
      await tracer.flush();

      expect(received).toHaveLength(1);
      expect(received[0].headers['content-type']).toBe('application/json');
      const [resource] = received[0].body.resourceSpans;
      expect(resource.resource.attributes).toEqual([
        { key: 'service.name', value: { stringValue: 'web-test' } },
      ]);
      const spans = resource.scopeSpans[0].spans;
      expect(spans).toHaveLength(2);
      const [, okTrace, okSpan, okFlags] = TRACEPARENT.exec(ok!)!;
      expect(okFlags).toBe('01');
      expect(spans[0]).toMatchObject({
        traceId: okTrace,
        spanId: okSpan,
        name: 'GET /api/v1/orders/{id}',
        kind: 3,
        status: { code: 0 },
      });
      expect(BigInt(spans[0].endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(spans[0].startTimeUnixNano));
      expect(spans[1].traceId).toBe(TRACEPARENT.exec(failed!)![1]);
      expect(spans[1].status).toEqual({ code: 2 });
      expect(JSON.stringify(received[0].body)).not.toContain('secret'); // no query strings
    });

    it('records none of the requests it does not sample', async () => {
      received.length = 0;
      const tracer = new BrowserTracer({ url, samplePercent: 0 });
      expect(await throughMiddleware(tracer, '1', 200)).toMatch(/-00$/);
      await tracer.flush();
      expect(received).toHaveLength(0);
    });

    it('traces a plain fetch too, and never fails the page when the collector is down', async () => {
      received.length = 0;
      const tracer = new BrowserTracer({ url: 'http://127.0.0.1:9/v1/traces' });
      let sent = '';
      const response = await tracer.around(
        'GET',
        '/api/v1/label-batches/{id}/sheet.svg',
        async (traceparent) => {
          sent = traceparent;
          return new Response('<svg/>', { status: 200 });
        },
      );
      expect(response.status).toBe(200);
      expect(sent).toMatch(/-01$/);
      await expect(tracer.flush()).resolves.toBeUndefined();
    });
  });
});
