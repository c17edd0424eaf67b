import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import type { CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied, toRpcError } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { OrderRepository, type OrderRecord } from '../orders/order.repository';
import { PaymentEventRepository, type PaymentEventRow } from './payment-event.repository';
import { paymentEventSchema, type PaymentEventInput, type PaymentEventRequest } from './payments.schemas';
import { PaymentsService, type AppliedEvent } from './payments.service';

/** One event's result in a batch: as `applyEvent` answers, or the gRPC status it failed with. */
export type BatchEventResult =
  | (AppliedEvent & { eventId: string; error?: undefined })
  | { eventId: string; error: { code: number; message: string } };

/**
 * The order an event is about, by the rule `PaymentsService` applies to one: the order its
 * metadata names, unless another order holds its PaymentIntent; else the PaymentIntent's order.
 */
function orderOf(req: PaymentEventRequest, found: OrderRecord[]): OrderRecord | undefined {
  const byId = req.orderId ? found.find((o) => o.id === req.orderId) : undefined;
  const byReference = req.paymentIntentId
    ? found.find((o) => o.paymentReference === req.paymentIntentId)
    : undefined;
  if (
    byId &&
    (!req.paymentIntentId || !byId.paymentReference || byId.paymentReference === req.paymentIntentId)
  ) {
    return byId;
  }
  return byReference;
}

/**
 * Provider events many at a time (the gateway's inbox applier sends what it claimed in one call),
 * each with the effect `PaymentsService.applyEvent` gives it and at most once per event id:
 *
 * - an event that does not parse is answered INVALID_ARGUMENT, the others go on;
 * - an id repeated within the batch is applied once, its repeats answered as repeats;
 * - events recorded before, and events naming no card order of ours, cost three statements for
 *   the whole batch: which ids are recorded, which orders the events name, and (in one
 *   transaction) the record of every event about no order (`unknown_order`);
 * - the rest, which move orders (commit stock, ask Stripe its fee, write the outbox), are
 *   applied one after another in the order sent, as `applyEvent` applies them; one that fails
 *   answers its error and the next goes on.
 */
@Injectable()
export class PaymentEventBatchService {
  private readonly logger = new Logger(PaymentEventBatchService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly payments: PaymentsService,
    private readonly orders: OrderRepository,
    private readonly events: PaymentEventRepository,
  ) {}

  async applyEvents(
    caller: CallerIdentity | null,
    inputs: Loose<PaymentEventInput>[],
  ): Promise<BatchEventResult[]> {
    if (caller) {
      throw new PermissionDenied('only the gateway applies payment events, after checking their signature');
    }
    const results: BatchEventResult[] = new Array(inputs.length);
    const firstAt = new Map<string, number>();
    const repeats: [number, number][] = [];
    const unique: { at: number; req: PaymentEventRequest }[] = [];
    for (const [at, input] of inputs.entries()) {
      const eventId = String((input as { eventId?: unknown }).eventId ?? '');
      let req: PaymentEventRequest;
      try {
        req = parseRequest(paymentEventSchema, input);
      } catch (error) {
        results[at] = { eventId, error: errorOf(error) };
        continue;
      }
      const first = firstAt.get(req.eventId);
      if (first === undefined) {
        firstAt.set(req.eventId, at);
        unique.push({ at, req });
      } else {
        repeats.push([at, first]);
      }
    }

    const em = this.em.fork();
    const [seen, found] = await Promise.all([
      this.events.seenAmong(
        em,
        unique.map((u) => u.req.eventId),
      ),
      this.orders.findForPayments(
        this.em.fork(),
        unique.map((u) => u.req.orderId).filter(Boolean),
        unique.map((u) => u.req.paymentIntentId).filter(Boolean),
      ),
    ]);
    const unknown: PaymentEventRow[] = [];
    const moving: { at: number; req: PaymentEventRequest }[] = [];
    for (const { at, req } of unique) {
      const order = orderOf(req, found);
      if (seen.has(req.eventId)) {
        results[at] = answer(req.eventId, false, order);
      } else if (!order || order.paymentMethod !== 'stripe') {
        unknown.push({
          eventId: req.eventId,
          type: req.type,
          orderId: null,
          paymentReference: req.paymentIntentId,
          outcome: 'unknown_order',
          occurredAt: req.occurredAt,
        });
        results[at] = answer(req.eventId, false, undefined);
      } else {
        moving.push({ at, req });
      }
    }
    if (unknown.length > 0) {
      try {
        await em.transactional((tx) => this.events.recordMany(tx, unknown));
        this.logger.warn(`${unknown.length} payment event(s) name no card order of ours, recorded as such`);
      } catch (error) {
        for (const { at, req } of unique) {
          if (unknown.some((u) => u.eventId === req.eventId)) {
            results[at] = { eventId: req.eventId, error: errorOf(error) };
          }
        }
      }
    }
    for (const { at, req } of moving) {
      try {
        results[at] = { eventId: req.eventId, ...(await this.payments.applyEvent(null, req)) };
      } catch (error) {
        results[at] = { eventId: req.eventId, error: errorOf(error) };
      }
    }
    for (const [at, first] of repeats) {
      const earlier = results[first];
      results[at] = earlier.error ? earlier : { ...earlier, applied: false };
    }
    return results;
  }
}

function answer(eventId: string, applied: boolean, order: OrderRecord | undefined): BatchEventResult {
  return { eventId, applied, orderId: order?.id ?? '', status: order?.status ?? '' };
}

/** The gRPC status a failed event would have failed its own ApplyPaymentEvent call with. */
function errorOf(error: unknown): { code: number; message: string } {
  const rpc = toRpcError(error);
  return { code: rpc.code, message: rpc.message };
}
