import { Metadata, status } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NotFound } from '@yugong/shared/errors';
import { register } from 'prom-client';
import { grpcServerHistogram, observeGrpcCall, traceGrpcCall } from './grpc-telemetry.util';
import { activeTraceparent, continueTrace } from './trace-context.util';
import { SERVICE_ATTRIBUTE, startTracing, tracingEnabled, type Tracing } from './tracing';

const RPC = '/yugong.catalog.v1.CatalogService/GetProduct';

/** A call handled by `handle` (an answer or an error), as the gRPC server runs it. */
function call(metadata: Metadata | undefined, handle: () => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    observeGrpcCall(
      'catalog',
      RPC,
      metadata,
      (error, reply) => (error ? reject(error) : resolve(reply)),
      (answer) => void handle().then((reply) => answer(null, reply), answer),
    );
  });
}

async function count(code: string): Promise<number> {
  const metric = await grpcServerHistogram().get();
  return (
    metric.values.find(
      (v) =>
        v.metricName === 'yugong_grpc_server_handling_seconds_count' &&
        v.labels.service === 'catalog' &&
        v.labels.method === RPC.slice(1) &&
        v.labels.code === code,
    )?.value ?? 0
  );
}

describe(observeGrpcCall.name, () => {
  afterAll(() => register.clear());

  it('counts each call by service, method and the status its error ends with, tracing off', async () => {
    expect(tracingEnabled()).toBe(false);
    const [ok, notFound, internal] = await Promise.all([count('OK'), count('NOT_FOUND'), count('INTERNAL')]);

    await call(new Metadata(), async () => 'answer');
    await expect(
      call(undefined, async () => {
        throw new NotFound('product', 'p1');
      }),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(
      call(undefined, async () => {
        throw new Error('bug');
      }),
    ).rejects.toThrow('bug');

    expect(await Promise.all([count('OK'), count('NOT_FOUND'), count('INTERNAL')])).toEqual([
      ok + 1,
      notFound + 1,
      internal + 1,
    ]);
    expect(activeTraceparent()).toBeNull();
  });
});

describe('trace context across a gRPC call and a stored event', () => {
  const spans = new InMemorySpanExporter();
  let tracing: Tracing;

  beforeAll(() => {
    tracing = startTracing({ service: 'yugong', exporter: spans });
  });

  afterAll(() => tracing.shutdown());

  it('continues the caller’s trace in the server span, from the metadata only', async () => {
    const metadata = new Metadata();
    await traceGrpcCall(RPC, 'catalog', metadata, async () => call(metadata, async () => 'answer'));
    const [server, client] = spans.getFinishedSpans();
    expect(metadata.get('traceparent')[0]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.attributes['peer.service']).toBe('catalog');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(server.attributes[SERVICE_ATTRIBUTE]).toBe('catalog');
    expect(server.resource.attributes['service.name']).toBe('catalog');
    expect(server.attributes['rpc.grpc.status_code']).toBe(status.OK);
  });

  it('continues a stored traceparent where the work resumes (an outbox event)', async () => {
    spans.reset();
    let stored: string | null = null;
    await traceGrpcCall(RPC, 'orders', new Metadata(), async () => {
      stored = activeTraceparent();
    });
    const [writer] = spans.getFinishedSpans();
    await continueTrace(stored, 'relay order.paid', { 'yugong.event_id': 'e1' }, async () => undefined);
    const [, relay] = spans.getFinishedSpans();
    expect(relay.name).toBe('relay order.paid');
    expect(relay.spanContext().traceId).toBe(writer.spanContext().traceId);
    expect(relay.parentSpanContext?.spanId).toBe(writer.spanContext().spanId);
  });
});
