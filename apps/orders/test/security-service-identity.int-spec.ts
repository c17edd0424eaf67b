import {
  Client as GrpcClient,
  credentials,
  makeGenericClientConstructor,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import { orders as contract } from '@yugong/contracts';
import {
  errorDetails,
  expectRejection,
  FakeStripe,
  signTestAssertion,
  TEST_SERVICE_KEYS,
  type TestAssertionClaims,
} from '@yugong/shared/testing';
import { service as healthService } from 'grpc-health-check';
import { randomBytes } from 'node:crypto';
import { consumer, OFFICER, startTestOrders, type TestOrders } from './support/harness';

/**
 * Service identity, attacked where it matters most: the call that marks a card order paid, and a
 * buyer's orders. Each internal call carries an assertion signed by the calling service's own key;
 * orders accepts ApplyPaymentEvent only from the gateway acting for itself (its Stripe webhook),
 * and reads the user only from a verified assertion. Every refusal is checked for its status, its
 * error code, and that nothing was written.
 */
describe('security: services verify who is calling', () => {
  let fake: FakeStripe;
  let orders: TestOrders;
  let call: TestOrders['call'];
  let productId: string;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    orders = await startTestOrders('orders_identity', {
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_MAX_RETRIES: '1',
      RECONCILE_INTERVAL_MS: '3600000',
    });
    ({ call } = orders);
    productId = await orders.catalog.product(await orders.catalog.producer(), 50);
  });

  afterAll(async () => {
    await orders?.close();
    await fake?.close();
  });

  async function cardOrder(buyer = consumer()) {
    await call('addCartItem', { cartToken: '', productId, quantity: 1 }, buyer);
    const { order } = await call(
      'checkout',
      {
        idempotencyKey: randomBytes(12).toString('base64url'),
        paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE,
      },
      buyer,
    );
    return { buyer, order };
  }

  /** What the payment tables and the order hold: the same before and after a refused call. */
  async function footprint(orderId: string) {
    const { rows } = await orders.sql.query<{ status: string; events: string; outbox: string }>(
      `select o.status,
              (select count(*) from payment_event) as events,
              (select count(*) from outbox_event where order_id = o.id) as outbox
         from customer_order o where o.id = $1`,
      [orderId],
    );
    return rows[0];
  }

  const succeeded = (order: { id: string; total: { fen: number }; payment: { reference: string } }) => ({
    eventId: `evt_${randomBytes(8).toString('hex')}`,
    type: 'payment_intent.succeeded',
    paymentIntentId: order.payment.reference,
    orderId: order.id,
    amount: { fen: order.total.fen, currency: 'CNY' },
    occurredAt: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
  });

  it('ApplyPaymentEvent from a service that may not send it (a leaked catalog key) pays nothing: PERMISSION_DENIED', async () => {
    const { order } = await cardOrder();
    const before = await footprint(order.id);
    expect(before.status).toBe('pending_payment');

    for (const [caller, from] of [
      ['service', 'catalog'],
      ['service', 'beneficiaries'],
      ['service', 'orders'],
      [OFFICER, 'gateway'],
      [null, 'gateway'],
    ] as const) {
      const error = await expectRejection(call('applyPaymentEvent', succeeded(order), caller, { from }));
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(error).code).toBe('PERMISSION_DENIED');
    }
    expect(await footprint(order.id)).toEqual(before);
    // The same request from the gateway's webhook path is one that pays: only the caller differed.
    expect((await call('applyPaymentEvent', succeeded(order), 'service')).applied).toBe(true);
    expect((await footprint(order.id)).status).toBe('paid');
  });

  it('ApplyPaymentEvent signed with the catalog key but claiming to be the gateway pays nothing: UNAUTHENTICATED', async () => {
    const { order } = await cardOrder();
    const before = await footprint(order.id);
    const forge = (claims: TestAssertionClaims) =>
      signTestAssertion({ ...claims, iss: 'gateway' }, { key: TEST_SERVICE_KEYS.catalog.signingKey });

    const error = await expectRejection(
      call('applyPaymentEvent', succeeded(order), 'service', { from: 'catalog', assertion: forge }),
    );
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(errorDetails(error).code).toBe('UNAUTHENTICATED');
    expect(await footprint(order.id)).toEqual(before);
  });

  it('a gRPC call with a valid assertion but a forged caller reads and cancels nothing', async () => {
    const { order } = await cardOrder();
    const before = await footprint(order.id);
    const stranger = consumer();

    // The stranger, correctly signed: the order is not theirs.
    const hidden = await expectRejection(call('getOrder', { id: order.id }, stranger));
    expect(hidden.code).toBe(status.NOT_FOUND);

    // The stranger's genuine assertion with the user edited to an admin, signature kept.
    const tampered = (claims: TestAssertionClaims) => {
      const [head, , signature] = signTestAssertion(claims).split('.');
      const body = Buffer.from(
        JSON.stringify({
          rpc: claims.rpc,
          act: 'user',
          usr: { userId: stranger.userId, role: 'admin', producerIds: [] },
          iss: claims.iss,
          aud: claims.aud,
          exp: Math.floor(Date.now() / 1000) + 60,
        }),
      ).toString('base64url');
      return `${head}.${body}.${signature}`;
    };
    // An admin signed by a key no service of ours holds.
    const stranger256 = (claims: TestAssertionClaims) =>
      signTestAssertion(
        { ...claims, usr: { ...stranger, role: 'admin' } },
        { key: TEST_SERVICE_KEYS.ledger.signingKey },
      );

    for (const assertion of [tampered, stranger256]) {
      for (const method of ['getOrder', 'cancelOrder'] as const) {
        const error = await expectRejection(call(method, { id: order.id }, stranger, { assertion }));
        expect(error.code).toBe(status.UNAUTHENTICATED);
        expect(errorDetails(error).code).toBe('UNAUTHENTICATED');
      }
    }
    expect(await footprint(order.id)).toEqual(before);
  });

  it('reflection without credentials lists nothing in a deployment; health still answers for probes', async () => {
    const { address } = orders;
    const reflection = new GrpcClient(address, credentials.createInsecure());
    const code = await new Promise<number>((resolve) => {
      const stream = reflection.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (value: Buffer) => value,
        (value: Buffer) => value,
      );
      stream.on('error', (error: ServiceError) => resolve(error.code));
      stream.on('data', () => resolve(status.OK));
      stream.write(Buffer.from([0x3a, 0x01, 0x2a])); // list_services: "*"
      stream.end();
    });
    reflection.close();
    expect(code).toBe(status.UNIMPLEMENTED);

    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(address, credentials.createInsecure()) as unknown as GrpcClient & {
      check(request: object, callback: (error: Error | null, res?: { status?: unknown }) => void): void;
    };
    const serving = await new Promise<unknown>((resolve, reject) =>
      health.check({ service: '' }, (error, res) => (error ? reject(error) : resolve(res?.status))),
    );
    health.close();
    expect(serving === 1 || serving === 'SERVING').toBe(true);
  });
});
