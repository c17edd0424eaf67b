import * as grpc from '@grpc/grpc-js';
import { ledger, orders, type beneficiaries } from '@yugong/contracts';
import {
  createTestDatabase,
  expectRejection,
  FakeStripe,
  GRPC_SERVICES,
  grpcTestClient,
  until,
  type FakeStripeEvent,
  type GrpcTestClient,
  type TestDatabase,
} from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
// The gateway's own mapping of a verified Stripe event, so these events reach orders as they do deployed.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { toApplyPaymentEventRequest } from '../../gateway/src/payments/stripe-webhook';
// Orders booted in-process, as it runs beside the ledger; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootOrders, consumer } from '../../orders/test/support/harness';
import {
  AUDITOR,
  bootLedger,
  buyer,
  ledgerDatabase,
  OFFICER,
  RABBIT,
  startTestRegion,
  type BootedLedger,
  type TestRegion,
} from './support/harness';

const ts = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: 0 });

describe('three-way reconciliation against a fake Stripe', () => {
  let region: TestRegion;
  let fake: FakeStripe;
  let stripe: Stripe;
  let ordersDb: TestDatabase;
  let ordersService: Awaited<ReturnType<typeof bootOrders>>;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;
  let ledgerService: BootedLedger;
  let payouts: GrpcTestClient<ledger.PayoutsServiceClient>;
  let registerClient: GrpcTestClient<beneficiaries.BeneficiariesServiceClient>;
  const from = new Date(Date.now() - 60_000);
  const to = new Date(Date.now() + 3_600_000);
  const report = (caller: typeof OFFICER = AUDITOR) =>
    ledgerService.client.call('getReconciliation', { from: ts(from), to: ts(to) }, caller);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await db.sql.query(sql, params)).rows[0]?.n ?? 0);

  beforeAll(async () => {
    region = await startTestRegion('ledger_recon');
    fake = await FakeStripe.start();
    stripe = new Stripe(fake.secretKey, { ...fake.clientConfig, maxNetworkRetries: 0 });
    ordersDb = await createTestDatabase('ledger_recon_orders');
    ordersService = await bootOrders(ordersDb.url, region.catalogAddress, {
      GRPC_DEADLINE_MS: '20000',
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_MAX_RETRIES: '1',
      RECONCILE_INTERVAL_MS: '3600000',
    });
    db = await ledgerDatabase('ledger_recon');
    ledgerService = await bootLedger(
      db.url,
      {
        orders: ordersService.address,
        catalog: region.catalogAddress,
        beneficiaries: region.beneficiariesAddress,
      },
      { LOG_LEVEL: 'error' },
    );
    payouts = grpcTestClient(GRPC_SERVICES.payouts, ledgerService.address);
    registerClient = grpcTestClient(GRPC_SERVICES.beneficiaries, region.beneficiariesAddress);
  }, 120_000);

  afterAll(async () => {
    payouts?.close();
    registerClient?.close();
    await ledgerService?.close();
    await ordersService?.close();
    await ordersDb?.drop();
    await db?.close();
    await fake?.close();
    await region?.close();
  });

  const apply = (event: FakeStripeEvent) =>
    ordersService.call(
      'applyPaymentEvent',
      toApplyPaymentEventRequest(event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0]),
      'service',
    );

  /** A card order of `quantity` rabbits paid through the fake Stripe; its fee known at payment unless `feeLater`. */
  async function cardSale(quantity: number, fee: number | null) {
    const who = consumer();
    await ordersService.call('addCartItem', { productId: RABBIT, quantity }, who);
    const { order } = await ordersService.call(
      'checkout',
      {
        idempotencyKey: randomBytes(12).toString('base64url'),
        paymentMethod: orders.PaymentMethod.PAYMENT_METHOD_STRIPE,
        donationFen: 100,
      },
      who,
    );
    const intent = order.payment!.reference;
    const succeeded = fake.succeed(intent);
    if (fee !== null) {
      fake.settleBalanceTransaction(intent, fee);
    }
    expect((await apply(succeeded)).applied).toBe(true);
    await until(
      async () =>
        (await count(`select count(*) as n from journal_transaction where idempotency_key = $1`, [
          `order:${order.id}:paid`,
        ])) === 1 || undefined,
      30_000,
      `order ${order.id} posted`,
    );
    return { order, intent };
  }

  it('is empty when all agree, and lists exactly a missing refund, a fee difference and an unsettled payout line', async () => {
    // Sales by card with Stripe's fee known and a partial refund through orders.
    const first = await cardSale(2, 173);
    await cardSale(1, 96);
    const refunded = await ordersService.call(
      'refundOrder',
      {
        orderId: first.order.id,
        lines: [{ lineId: first.order.lines[0]!.id, quantity: 1 }],
        reason: 'damaged',
        idempotencyKey: 'refund-first',
      },
      OFFICER,
    );
    expect(refunded.refund.status).toBe('succeeded');
    await until(
      async () =>
        (await count(`select count(*) as n from journal_transaction where kind = 'refund'`)) === 1 ||
        undefined,
      30_000,
      'refund posted',
    );
    // One household with a payout account: every batch has one line. Paid out and settled.
    const { rows } = await db.sql.query<{ owner_id: string }>(
      `select a.owner_id from account a join account_totals t on t.code = a.code
        where a.owner_kind = 'household' and t.balance_fen > 0 order by a.owner_id limit 1`,
    );
    const payee = rows[0]!.owner_id;
    await registerClient.call(
      'setPayoutAccount',
      {
        householdId: payee,
        payeeName: '户主',
        accountNumber: '6228480012345678901',
        bankName: '济源农商银行',
      },
      OFFICER,
    );
    const settledBatch = (await payouts.call('createPayoutBatch', { minimumFen: 1 }, OFFICER)).detail.batch!;
    await payouts.call('markPayoutBatchSent', { id: settledBatch.id }, OFFICER);
    await payouts.call('settlePayoutBatch', { id: settledBatch.id, failedReferences: [] }, OFFICER);

    const clean = await report();
    expect(clean.items).toEqual([]);
    expect(clean.processorChecked).toBe(true);
    expect(clean.processorEntries).toBe(3);
    expect(clean.ledgerEntries).toBe(3);
    // Only the relief office and auditors read it.
    await expectRejection(report(buyer()), grpc.status.PERMISSION_DENIED);

    // 1. A refund made at Stripe (its dashboard) that the ledger never heard of.
    const dashboardRefund = await stripe.refunds.create({ payment_intent: first.intent, amount: 500 });
    // 2. A sale paid before Stripe made its balance transaction: the ledger took the fee by rate,
    //    Stripe's own comes later and differs.
    const late = await cardSale(1, null);
    fake.settleBalanceTransaction(late.intent, 120);
    const feeByRate = await count(
      `select coalesce(sum(p.fen), 0) as n from posting p join journal_transaction t on t.id = p.transaction_id
        where t.order_id = $1 and p.role = 'fee'`,
      [late.order.id],
    );
    expect(feeByRate).toBeGreaterThan(0);
    expect(feeByRate).not.toBe(120);
    // 3. A batch sent and never settled.
    const open = (await payouts.call('createPayoutBatch', { minimumFen: 1 }, OFFICER)).detail.batch!;
    const sent = await payouts.call('markPayoutBatchSent', { id: open.id }, OFFICER);
    const line = sent.detail.lines.find((l) => l.status === 'in_transit')!;

    const found = await report(OFFICER);
    expect(
      found.items.map((i) => [i.kind, i.reference, i.ledgerFen, i.externalFen, i.differenceFen]).sort(),
    ).toEqual(
      [
        ['refund_missing_in_ledger', dashboardRefund.id, 0, 500, 500],
        ['fee_differs', late.intent, feeByRate, 120, 120 - feeByRate],
        ['payout_unsettled', line.reference, line.amountFen, 0, -line.amountFen],
      ].sort(),
    );
    expect(found.items.find((i) => i.kind === 'fee_differs')!.orderId).toBe(late.order.id);
    expect(found.items.find((i) => i.kind === 'refund_missing_in_ledger')!.orderId).toBe(first.order.id);

    // A period after all of it: nothing in it, the batch still unsettled at its end.
    const later = await ledgerService.client.call(
      'getReconciliation',
      { from: ts(to), to: ts(new Date(to.getTime() + 86_400_000)) },
      AUDITOR,
    );
    expect(later.items.map((i) => i.kind)).toEqual(['payout_unsettled']);

    // Stripe's history is for the ledger alone, never a user through the gateway.
    await expectRejection(
      ordersService.call('listProviderBalanceTransactions', { from: ts(from), to: ts(to) }, OFFICER),
      grpc.status.PERMISSION_DENIED,
    );
    // Stripe failing: no report (one side missing would list every payment), UNAVAILABLE.
    fake.failNext(50, 500, /balance_transactions/);
    await expectRejection(report(), grpc.status.UNAVAILABLE);
  });
});
