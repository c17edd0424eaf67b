import { z } from 'zod';

const uuid = z.uuid('must be a UUID');
const fen = z.number({ message: 'must be a number' }).int('must be whole fen').min(0, 'must not be negative');
const money = z.object({
  fen,
  currency: z
    .string()
    .regex(/^([A-Z]{3})?$/, 'must be an ISO 4217 code')
    .default(''),
});
const timestamp = z.object({ seconds: z.number().int(), nanos: z.number().int().default(0) });

const line = z.object({
  id: uuid,
  productId: uuid,
  producerId: uuid,
  quantity: z.number().int().positive('must be positive'),
  gross: money,
  unitPrice: money,
  householdShareBps: z.number().int().min(0).max(10_000, 'must be at most 10000'),
  allocations: z
    .array(z.object({ lotId: uuid, lotCode: z.string(), quantity: z.number().int().positive() }))
    .default([]),
  /** The LOGO licence terms snapshotted at checkout; absent on unlicensed lines. */
  licence: z
    .object({
      licenceId: uuid,
      licenceNumber: z.string().default(''),
      commitmentBps: z.number().int().min(0).max(10_000, 'must be at most 10000'),
      minPerUnit: money.nullish(),
    })
    .nullish(),
});

const order = z.object({
  id: uuid,
  buyerId: uuid,
  lines: z.array(line),
  donation: money.nullish(),
  total: money,
  payment: z
    .object({
      method: z.string(),
      reference: z.string(),
      amountReceived: money.nullish(),
      paidAt: timestamp.nullish(),
      /** The processor's actual fee of a card payment; absent when not known. */
      processorFee: money.nullish(),
    })
    .nullish(),
});

const refund = z.object({
  id: z.string().min(1, 'must not be empty'),
  lines: z.array(z.object({ lineId: uuid, quantity: z.number().int().positive(), amount: money })),
  status: z.string(),
});

const payment = z.object({
  method: z.string(),
  reference: z.string().min(1, 'must not be empty'),
  amount: money,
  receivedAt: timestamp.nullish(),
  reason: z.string().default(''),
});

export const ORDER_EVENT_TYPES = [
  'order.paid',
  'order.refunded',
  'order.cancelled',
  'order.payment_refunded',
  'order.payment_unmatched',
] as const;

/** ConsumeOrderEvent: an outbox event of orders.v1 as the relay or ListEvents sends it. */
export const orderEventSchema = z
  .object({
    id: z.number().int().min(0, 'must not be negative'),
    eventId: uuid,
    type: z.enum(ORDER_EVENT_TYPES, { message: `must be one of ${ORDER_EVENT_TYPES.join(', ')}` }),
    orderId: uuid,
    sequence: z.number().int().min(1, 'must be at least 1'),
    occurredAt: timestamp,
    order: order.nullish(),
    refund: refund.nullish(),
    payment: payment.nullish(),
  })
  .superRefine((event, ctx) => {
    if ((event.type === 'order.paid' || event.type === 'order.refunded') && !event.order?.payment?.paidAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['order', 'payment', 'paidAt'],
        message: `is required for ${event.type}`,
      });
    }
    if (event.type === 'order.refunded' && !event.refund) {
      ctx.addIssue({ code: 'custom', path: ['refund'], message: 'is required for order.refunded' });
    }
    if (
      (event.type === 'order.payment_refunded' || event.type === 'order.payment_unmatched') &&
      !event.payment
    ) {
      ctx.addIssue({ code: 'custom', path: ['payment'], message: `is required for ${event.type}` });
    }
    if (event.order && event.order.id !== event.orderId) {
      ctx.addIssue({ code: 'custom', path: ['order', 'id'], message: 'must be the event orderId' });
    }
  });

export type OrderEventInput = z.infer<typeof orderEventSchema>;
export type OrderInput = NonNullable<OrderEventInput['order']>;
