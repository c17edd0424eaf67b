import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { setLogDestination } from '@yugong/shared/logging';
import { SERVICE_ATTRIBUTE, startTracing, type Tracing } from '@yugong/shared/telemetry';
import { describeWithRedis } from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import request from 'supertest';
import { signIn } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson } from './support/views';

// Every service in this process, as `npm start` runs them: one tracing SDK, spans kept in memory.
// (Jest's module loader bypasses the require hooks of the pg and ioredis instrumentations, so this
// file sees the HTTP and gRPC spans and the outbox's hand-over, not SQL; README, "Observability".)
describeWithRedis('observability: traces, trace ids in logs, RED metrics', () => {
  const spans = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  let tracing: Tracing;
  let platform: Platform;
  let product: ProductJson;
  let consumer: Record<string, string>;

  const serviceOf = (span: ReadableSpan) => span.attributes[SERVICE_ATTRIBUTE];
  const inTrace = (traceId: string) =>
    spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const httpSpan = (name: string) => {
    const found = spans.getFinishedSpans().filter((span) => span.name === name);
    expect(found.length).toBeGreaterThan(0);
    return found[found.length - 1];
  };
  /** The span's ancestors' services, nearest first, within its trace. */
  const servicesAbove = (span: ReadableSpan) => {
    const byId = new Map(inTrace(span.spanContext().traceId).map((s) => [s.spanContext().spanId, s]));
    const services: unknown[] = [];
    for (
      let at = byId.get(span.parentSpanContext?.spanId ?? '');
      at;
      at = byId.get(at.parentSpanContext?.spanId ?? '')
    ) {
      services.push(serviceOf(at));
    }
    return services;
  };

  beforeAll(async () => {
    tracing = startTracing({ service: 'yugong', exporter: spans });
    setLogDestination(
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    platform = await startPlatform(
      'otel_e2e',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' },
      // Without the demo's 2020 sales (the default): this payment's event is the relay's next, not the 320th.
      // The ledger's catch-up every second, so that its pass reads the payment's event too.
      { ledger: true, ledgerEnv: { CATCH_UP_INTERVAL_MS: '1000' } },
    );
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    product = (listed.body.items as ProductJson[]).find((p) => p.stock >= 10)!;
    consumer = await signIn(platform, 'consumer');
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    setLogDestination(undefined);
    await tracing?.shutdown();
  });

  let order: OrderJson;

  it('follows a checkout from the gateway through orders to catalog in one trace', async () => {
    const placed = await addAndCheckOut(
      platform,
      consumer,
      { productId: product.id, quantity: 1 },
      'otel-e2e-1',
    );
    expect(placed.status).toBe(201);
    order = placed.body.order as OrderJson;

    const root = httpSpan('POST /api/v1/checkout');
    expect(root.attributes['http.route']).toBe('/api/v1/checkout');
    expect(root.resource.attributes['service.name']).toBe('gateway');
    const trace = inTrace(root.spanContext().traceId);
    const server = (service: string) =>
      trace.filter((span) => span.kind === SpanKind.SERVER && serviceOf(span) === service);

    const orders = server('orders');
    expect(orders.map((span) => span.name)).toContain('yugong.orders.v1.OrdersService/Checkout');
    const catalog = server('catalog');
    expect(catalog.length).toBeGreaterThan(0);
    // catalog's handling hangs below orders', which hangs below the gateway's request.
    const above = servicesAbove(catalog[0]).filter((service, i, all) => service !== all[i - 1]);
    expect(above).toEqual(['orders', 'gateway']);
    // Exported under each service's own name, though one SDK serves them all.
    expect(catalog[0].resource.attributes['service.name']).toBe('catalog');
    expect(orders[0].resource.attributes['service.name']).toBe('orders');
  });

  it.each(['00', '01'])(
    "continues the trace a browser's traceparent names (flags %s) through the gateway to orders",
    async (flags) => {
      // As the web app's client sends it: a trace id and span id of its own, unsampled unless it
      // records spans itself.
      const traceId = randomBytes(16).toString('hex');
      const browserSpan = randomBytes(8).toString('hex');
      await request(platform.http)
        .get(`/api/v1/orders/${order.id}`)
        .set(consumer)
        .set('traceparent', `00-${traceId}-${browserSpan}-${flags}`)
        .expect(200);

      const trace = inTrace(traceId);
      const route = trace.find((span) => span.name === 'GET /api/v1/orders/:id');
      expect(route).toBeDefined();
      expect(route!.parentSpanContext?.spanId).toBe(browserSpan);
      const getOrder = trace.find(
        (span) =>
          span.kind === SpanKind.SERVER &&
          serviceOf(span) === 'orders' &&
          span.name === 'yugong.orders.v1.OrdersService/GetOrder',
      );
      expect(getOrder).toBeDefined();
      expect(servicesAbove(getOrder!)).toContain('gateway');
    },
  );

  it('carries the trace of a payment through the outbox to the ledger consumer', async () => {
    const officer = await signIn(platform, 'officer');
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(officer)
      .send({ amountFen: order.total.fen, reference: 'OTEL-E2E-0001' })
      .expect(200);
    const paid = httpSpan('POST /api/v1/orders/:id/payments/manual');
    const traceId = paid.spanContext().traceId;

    const db = new Client({ connectionString: platform.ordersDatabaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ trace_context: string | null }>(
        `select trace_context from outbox_event where order_id = $1 and type = 'order.paid'`,
        [order.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].trace_context).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await db.end();
    }

    const consumed = () =>
      inTrace(traceId).find(
        (span) =>
          span.kind === SpanKind.SERVER &&
          serviceOf(span) === 'ledger' &&
          span.name === 'yugong.orders.v1.OrderEventsConsumerService/ConsumeOrderEvent',
      );
    // The relay's own span ends once the ledger has answered it.
    const relayed = () => inTrace(traceId).some((span) => span.name === 'relay order.paid');
    for (const until = Date.now() + 60_000; !(consumed() && relayed()) && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ledger = consumed();
    expect(ledger).toBeDefined();
    expect(ledger!.resource.attributes['service.name']).toBe('ledger');
    // The relay's delivery, by orders, in the trace of the request that wrote the event.
    expect(inTrace(traceId).map((span) => span.name)).toContain('relay order.paid');
  }, 120_000);

  it("continues an event's trace when the ledger's catch-up pulls it, linked to the pass", async () => {
    const traceId = httpSpan('POST /api/v1/orders/:id/payments/manual').spanContext().traceId;
    const byId = (spanId: string) => spans.getFinishedSpans().find((s) => s.spanContext().spanId === spanId);
    const pulled = () =>
      inTrace(traceId).find((span) => span.name === 'catch-up order.paid' && span.kind === SpanKind.CONSUMER);
    // The pass span ends after the event's.
    const passOf = (event: ReadableSpan) => byId(event.links[0]?.context.spanId ?? '');
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      const event = pulled();
      if (event && passOf(event)) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const event = pulled();
    expect(event).toBeDefined();
    expect(serviceOf(event!)).toBe('ledger');
    // In the trace of the request that wrote the event, below the gateway's request span.
    expect(servicesAbove(event!)).toContain('gateway');

    const pass = passOf(event!);
    expect(pass?.name).toBe('catch-up orders.outbox');
    expect(pass!.spanContext().traceId).not.toBe(traceId); // a trace of its own
    expect(pass!.links.map((link) => link.context.spanId)).toContain(event!.spanContext().spanId);
    // The pass's own trace holds its ListEvents call to orders.
    expect(inTrace(pass!.spanContext().traceId).map((span) => span.name)).toContain(
      'yugong.orders.v1.OrdersService/ListEvents',
    );
  }, 60_000);

  it('writes the trace id on the log lines of a traced request', () => {
    const traceId = httpSpan('POST /api/v1/checkout').spanContext().traceId;
    const ofCheckout = lines.filter((line) => line.trace_id === traceId);
    expect(ofCheckout.length).toBeGreaterThan(0);
    expect(ofCheckout.every((line) => line.service === 'gateway')).toBe(true);
  });

  it('counts every gRPC call by service, method and code, and HTTP by route template', async () => {
    const count = async (series: string) => {
      const text = (await request(platform.http).get('/metrics').expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const getOrder =
      'yugong_grpc_server_handling_seconds_count{service="orders",method="yugong.orders.v1.OrdersService/GetOrder",code="OK"}';
    const notFound =
      'yugong_grpc_server_handling_seconds_count{service="orders",method="yugong.orders.v1.OrdersService/GetOrder",code="NOT_FOUND"}';
    const route =
      'yugong_gateway_http_request_duration_seconds_count{method="GET",route="/api/v1/orders/:id",status="200"}';
    // The same calls as the gateway, their caller, counted them.
    const called = (code: string) =>
      `yugong_grpc_client_handling_seconds_count{service="gateway",peer="orders",method="yugong.orders.v1.OrdersService/GetOrder",code="${code}"}`;
    const series = [getOrder, notFound, route, called('OK'), called('NOT_FOUND')];
    const before = await Promise.all(series.map(count));

    await request(platform.http).get(`/api/v1/orders/${order.id}`).set(consumer).expect(200);
    await request(platform.http).get(`/api/v1/orders/${order.id}`).set(consumer).expect(200);
    await request(platform.http)
      .get('/api/v1/orders/00000000-0000-4000-8000-000000000000')
      .set(consumer)
      .expect(404);

    expect(await Promise.all(series.map(count))).toEqual([
      before[0] + 2,
      before[1] + 1,
      before[2] + 2,
      before[3] + 2,
      before[4] + 1,
    ]);
    const text = (await request(platform.http).get('/metrics').expect(200)).text;
    expect(text).toContain('yugong_grpc_server_handling_seconds_bucket{le="0.005",service="orders"');
    expect(text).not.toContain(order.id); // route templates, not raw URLs
  });
});
