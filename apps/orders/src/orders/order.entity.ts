import {
  BigIntType,
  Check,
  Entity,
  Index,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'refunded',
] as const;
export type OrderStatusName = (typeof ORDER_STATUSES)[number];

export const PAYMENT_METHODS = ['stripe', 'manual'] as const;
export type PaymentMethodName = (typeof PAYMENT_METHODS)[number];

/**
 * An order: what the buyer pays (lines + donation), its state and its payment. A buyer's
 * Idempotency-Key is unique per buyer, so a repeated checkout finds the first order. Rows are
 * written with SQL in OrderRepository; the entity gives the schema (and its migrations) and the
 * row types the repository returns (`OrderRecord`).
 */
@Entity({ tableName: 'customer_order' })
@Unique({ name: 'customer_order_idempotency', properties: ['buyerId', 'idempotencyKey'] })
@Index({ name: 'customer_order_buyer', properties: ['buyerId', 'createdAt'] })
@Index({
  name: 'customer_order_expiring',
  properties: ['expiresAt'],
  options: { where: "status = 'pending_payment'" },
})
// A buyer's unpaid orders, counted against its limits by every checkout (see the migration).
@Index({
  name: 'customer_order_unpaid_by_buyer',
  properties: ['buyerId', 'expiresAt'],
  options: { where: "status = 'pending_payment'" },
})
@Index({
  name: 'customer_order_payment_reference',
  properties: ['paymentReference'],
  options: { where: 'payment_reference is not null' },
})
// One bank or receipt reference pays one order per method; cancelled orders (a claim that came to
// nothing) do not count.
@Unique({
  name: 'customer_order_payment_reference_unique',
  expression: `create unique index "customer_order_payment_reference_unique" on "customer_order"
    ("payment_method", "payment_reference") where payment_reference is not null and status <> 'cancelled'`,
})
@Index({
  name: 'customer_order_unpaid_by_card',
  properties: ['createdAt'],
  options: { where: "status = 'pending_payment' and payment_method = 'stripe'" },
})
@Check({
  name: 'customer_order_amounts',
  expression: 'subtotal_fen > 0 and donation_fen >= 0 and total_fen = subtotal_fen + donation_fen',
})
@Check({
  name: 'customer_order_status',
  expression:
    "status in ('pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded')",
})
@Check({ name: 'customer_order_method', expression: "payment_method in ('stripe', 'manual')" })
export class Order {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  buyerId!: string;

  @Property({ type: 'text' })
  buyerRole!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  /** SHA-256 of the checkout request, to tell a repeat from a different request with the same key. */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'text' })
  status!: OrderStatusName;

  @Property({ type: 'text' })
  paymentMethod!: PaymentMethodName;

  @Property({ type: new BigIntType('number') })
  subtotalFen!: number;

  @Property({ type: new BigIntType('number') })
  donationFen!: number;

  @Property({ type: new BigIntType('number') })
  totalFen!: number;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** Provider's payment id, or the officer's reference of a manual payment. */
  @Property({ type: 'text', nullable: true })
  paymentReference?: string | null;

  @Property({ type: 'text', nullable: true })
  clientSecret?: string | null;

  @Property({ type: new BigIntType('number'), nullable: true })
  amountReceivedFen?: number | null;

  /**
   * The fee the card processor charged for the payment, fen, from Stripe's balance transaction;
   * null when not known (a manual payment, or Stripe had not settled it when the order was paid).
   */
  @Property({ type: new BigIntType('number'), nullable: true })
  processorFeeFen?: number | null;

  @Property({ type: 'timestamptz', nullable: true })
  paidAt?: Date | null;

  /** The last failure the provider reported for a payment attempt (`card_declined`). */
  @Property({ type: 'text', nullable: true })
  paymentFailure?: string | null;

  /** When that failure happened at the provider: a late delivery of an older one changes nothing. */
  @Property({ type: 'timestamptz', nullable: true })
  paymentFailureAt?: Date | null;

  /** When the reconciler last asked the provider about this unpaid order. */
  @Property({ type: 'timestamptz', nullable: true })
  paymentCheckedAt?: Date | null;

  /** While pending payment: when the stock hold lapses and the order is cancelled. */
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  cancelledAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
