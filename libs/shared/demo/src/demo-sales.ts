import { DEMO_LOT_DATES, demoId, type DemoProducer, type DemoProduct } from './demo-region';
import { demoProducers, demoRandom } from './demo-register';

/**
 * The demo region's sales of 2020: a few hundred paid orders spread over the year, as checkout,
 * payment, shipping and refunds would have left them. Catalog and orders each seed their side
 * of the same plan (catalog the committed holds and what is left on the lots, orders the orders,
 * refunds and their events), so the two agree without calling each other at boot, as catalog's
 * lot suppliers agree with the register. Deterministic: the same plan on every machine.
 *
 * The plan follows the rules of the running code: units come from the oldest lot with stock that
 * was produced by the order's day (HoldStock takes the oldest first), lines carry the price and
 * the household share in force at checkout, refunds give back the line's price per unit and
 * never more units than were sold.
 */

/** Units of one lot in a sold line. */
export interface DemoAllocation {
  lotId: string;
  lotCode: string;
  quantity: number;
}

/** One line of a demo order, as catalog's HoldStock answers it. */
export interface DemoSaleLine {
  productId: string;
  producerId: string;
  producerName: string;
  nameZh: string;
  nameEn: string;
  unit: string;
  unitPriceFen: number;
  currency: 'CNY';
  quantity: number;
  householdShareBps: number;
  allocations: DemoAllocation[];
}

/** A partial refund of one line, settled by the relief office; the goods are not returned. */
export interface DemoRefund {
  id: string;
  at: Date;
  lineIndex: number;
  quantity: number;
  reason: string;
  /** The provider's refund id (card) or the office's transfer reference (manual). */
  reference: string;
}

export interface DemoSale {
  id: string;
  buyerId: string;
  buyerRole: 'consumer' | 'institution';
  idempotencyKey: string;
  paymentMethod: 'stripe' | 'manual';
  /** The donation asked for at checkout, before any round-up. */
  donationFen: number;
  roundUp: boolean;
  createdAt: Date;
  paidAt: Date;
  /** PaymentIntent id (card) or bank transfer reference (manual). */
  paymentReference: string;
  lines: DemoSaleLine[];
  shipment?: { at: Date; carrier: string; trackingNumber: string };
  deliveredAt?: Date;
  refunds: DemoRefund[];
}

/** Who recorded the demo refunds: the relief office of 2020 (no account on this platform). */
export const DEMO_REFUND_OFFICER = demoId('user', 'relief-office-2020');

/** How many orders the plan tries to place; a few fall away when stock runs short. */
const ORDERS = 320;
const CONSUMERS = 60;
const INSTITUTIONS = 12;
/** Orders per month of 2020: the epidemic months of spring and the year-end campaign sell most. */
const MONTH_WEIGHTS = [6, 10, 12, 10, 8, 6, 5, 5, 7, 8, 10, 13];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const CARRIERS = ['中国邮政', 'EMS', '顺丰速运', '京东物流'];
const REFUND_REASONS = [
  '运输中破损 (damaged in transit)',
  '部分变质 (part spoiled on arrival)',
  '少发 (short shipped)',
];
const CHINA_OFFSET_MS = 8 * 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Deterministic id of a demo lot: the `index`-th lot (0 first) of a demo product. */
export function demoLotId(producerKey: string, productKey: string, index: number): string {
  return demoId('lot', `${producerKey}/${productKey}/${index + 1}`);
}

/** The code printed on a demo lot. */
export function demoLotCode(productKey: string, index: number): string {
  return `${productKey.toUpperCase()}-2020-${String(index + 1).padStart(2, '0')}`;
}

/** The instant 00:00 of a date (YYYY-MM-DD) in China. */
export function chinaMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);
}

/** A demo producer's household share in force at `at`: its registration share, then its changes. */
export function demoShareAt(producer: DemoProducer, at: Date): number {
  let share = producer.householdShareBps;
  for (const change of producer.householdShareChanges ?? []) {
    if (chinaMidnight(change.effectiveFrom).getTime() <= at.getTime()) {
      share = change.basisPoints;
    }
  }
  return share;
}

interface LotState {
  id: string;
  code: string;
  producedAt: number;
  left: number;
}

interface Listing {
  producer: DemoProducer;
  product: DemoProduct;
  id: string;
  lots: LotState[];
  weight: number;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function between(rand: () => number, low: number, high: number): number {
  return low + Math.floor(rand() * (high - low + 1));
}

/** Instants of the orders, in time order: months by weight, 8:00 to 21:59 in China. */
function orderTimes(rand: () => number): Date[] {
  const total = MONTH_WEIGHTS.reduce((a, b) => a + b, 0);
  const times: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    let roll = rand() * total;
    let month = 0;
    while (roll >= MONTH_WEIGHTS[month]) {
      roll -= MONTH_WEIGHTS[month++];
    }
    // Up to the 20th of December, so that bank transfers are confirmed within the year.
    const day = between(rand, month === 0 ? 6 : 1, month === 11 ? 20 : DAYS_IN_MONTH[month]);
    const minutes = between(rand, 8 * 60, 22 * 60 - 1);
    times.push(Date.UTC(2020, month, day) - CHINA_OFFSET_MS + minutes * MINUTE + between(rand, 0, 59) * 1000);
  }
  return times.sort((a, b) => a - b).map((t) => new Date(t));
}

/** Takes `wanted` units from the listing's lots produced by `at`, oldest first; the allocations or nothing. */
function allocate(listing: Listing, at: number, wanted: number): DemoAllocation[] {
  const open = listing.lots.filter((lot) => lot.producedAt <= at && lot.left > 0);
  if (open.reduce((sum, lot) => sum + lot.left, 0) < wanted) {
    return [];
  }
  const allocations: DemoAllocation[] = [];
  for (const lot of open) {
    const take = Math.min(wanted, lot.left);
    lot.left -= take;
    wanted -= take;
    allocations.push({ lotId: lot.id, lotCode: lot.code, quantity: take });
    if (wanted === 0) {
      break;
    }
  }
  return allocations;
}

function buildSales(): DemoSale[] {
  const rand = demoRandom(20_200_101);
  const listings: Listing[] = demoProducers().flatMap((producer) =>
    producer.products.map((product) => ({
      producer,
      product,
      id: demoId('product', `${producer.key}/${product.key}`),
      lots: product.lots.map((quantity, i) => ({
        id: demoLotId(producer.key, product.key, i),
        code: demoLotCode(product.key, i),
        producedAt: chinaMidnight(DEMO_LOT_DATES[i % DEMO_LOT_DATES.length]).getTime(),
        // A fifth of every lot stays unsold for today's buyers.
        left: Math.floor(quantity * 0.8),
      })),
      weight: producer.kind === 'leading_enterprise' ? 3 : 1,
    })),
  );
  const weighted = listings.flatMap((l) => Array.from({ length: l.weight }, () => l));
  const sales: DemoSale[] = [];
  let transfers = 0;
  for (const [n, createdAt] of orderTimes(rand).entries()) {
    const institution = rand() < 0.2;
    const chosen = new Set<Listing>();
    const lineCount = institution ? between(rand, 2, 5) : between(rand, 1, 3);
    while (chosen.size < lineCount) {
      chosen.add(pick(rand, weighted));
    }
    const lines: DemoSaleLine[] = [];
    for (const listing of chosen) {
      const quantity = institution ? between(rand, 5, 30) : between(rand, 1, 3);
      const allocations = allocate(listing, createdAt.getTime(), quantity);
      if (allocations.length === 0) {
        continue;
      }
      lines.push({
        productId: listing.id,
        producerId: demoId('producer', listing.producer.key),
        producerName: listing.producer.legalName,
        nameZh: listing.product.nameZh,
        nameEn: listing.product.nameEn,
        unit: listing.product.unit,
        unitPriceFen: listing.product.priceFen,
        currency: 'CNY',
        quantity,
        householdShareBps: demoShareAt(listing.producer, createdAt),
        allocations,
      });
    }
    const card = !institution && rand() < 0.65;
    const donationRoll = rand();
    const roundUp = !institution && donationRoll < 0.45;
    const donationFen = institution
      ? donationRoll < 0.3
        ? between(rand, 10, 100) * 500
        : 0
      : donationRoll > 0.85
        ? between(rand, 1, 20) * 100
        : 0;
    const paidAt = new Date(
      createdAt.getTime() + (card ? between(rand, 1, 10) * MINUTE : between(rand, 1, 3) * DAY),
    );
    const shipped = rand() < 0.95;
    const shipment = shipped
      ? {
          at: new Date(paidAt.getTime() + between(rand, 20, 44) * 3_600_000),
          carrier: pick(rand, CARRIERS),
          trackingNumber: `JY2020${String(n + 1).padStart(4, '0')}${between(rand, 1000, 9999)}`,
        }
      : undefined;
    const deliveredAt =
      shipment && rand() < 0.7 ? new Date(shipment.at.getTime() + between(rand, 2, 4) * DAY) : undefined;
    const refundRoll = rand();
    if (lines.length === 0) {
      continue;
    }
    const id = demoId('order', `2020/${n + 1}`);
    const refunds: DemoRefund[] = [];
    // A few orders are partly refunded after delivery: part of one line (or one whole line of several).
    const refundable = lines.findIndex((l) => l.quantity > 1);
    if (deliveredAt && refundRoll < 0.06 && (refundable >= 0 || lines.length > 1)) {
      const lineIndex = refundable >= 0 ? refundable : 0;
      const quantity = refundable >= 0 ? Math.max(1, Math.floor(lines[lineIndex].quantity / 3)) : 1;
      const refundId = demoId('refund', `${id}/1`);
      refunds.push({
        id: refundId,
        at: new Date(deliveredAt.getTime() + between(rand, 1, 3) * DAY),
        lineIndex,
        quantity,
        reason: pick(rand, REFUND_REASONS),
        reference: card
          ? `re_demo_${refundId.replace(/-/g, '').slice(0, 24)}`
          : `manual:JYTK2020${refundId.slice(0, 6)}`,
      });
    }
    sales.push({
      id,
      buyerId: institution
        ? demoId('buyer', `institution-${between(rand, 1, INSTITUTIONS)}`)
        : demoId('buyer', `consumer-${between(rand, 1, CONSUMERS)}`),
      buyerRole: institution ? 'institution' : 'consumer',
      idempotencyKey: `demo-2020-${n + 1}`,
      paymentMethod: card ? 'stripe' : 'manual',
      donationFen,
      roundUp,
      createdAt,
      paidAt,
      paymentReference: card
        ? `pi_demo_${id.replace(/-/g, '').slice(0, 24)}`
        : `JY2020-${String(++transfers).padStart(4, '0')}`,
      lines,
      shipment,
      deliveredAt,
      refunds,
    });
  }
  return sales;
}

let cached: DemoSale[] | undefined;

/** The demo sales of 2020, oldest first; built once per process, the same every time. */
export function demoSales(): DemoSale[] {
  cached ??= buildSales();
  return cached;
}
