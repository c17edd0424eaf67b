import { Inject, Injectable } from '@nestjs/common';
import { lru } from '@yugong/shared/cache';
import { BeneficiariesClient } from '../clients/beneficiaries.client';
import { CatalogClient } from '../clients/catalog.client';
import type { AgreementShare, LineLot, SaleInput, VillageCollectiveShare } from '../split/sale-split.util';
import type { OrderInput } from './order-events.schemas';

export const SPLIT_SETTINGS = Symbol('SPLIT_SETTINGS');

/** Rule inputs the configuration decides. */
export interface SplitSettings {
  /** Processor fee of card payments, basis points of each line's gross. */
  cardFeeBps: number;
}

const METHODS: Record<string, string> = {
  PAYMENT_METHOD_STRIPE: 'stripe',
  PAYMENT_METHOD_MANUAL: 'manual',
};

type CatalogLot = { suppliers: { householdId: string; quantity: number }[] };
type ProducerShares = { households: AgreementShare[]; villages: VillageCollectiveShare[] };

/** Agreements are dated by the calendar day in China (UTC+8): cached per producer and day. */
function sharesKey(producerId: string, paidAt: Date): string {
  return `${producerId}|${new Date(paidAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}`;
}

/**
 * Gathers what a sale's split depends on from the services that own it: the lots' suppliers
 * (catalog), the producer's benefit agreements at the payment time and the households' villages
 * (beneficiaries). Lots and villages change rarely and are cached for minutes; agreements are
 * asked for each payment instant (cached for seconds, per producer and day).
 */
@Injectable()
export class SaleInputsService {
  private readonly lots = lru<string, CatalogLot>(20_000, { ttl: 300_000 });
  private readonly householdVillages = lru<string, string>(100_000, { ttl: 300_000 });
  private readonly shares = lru<string, ProducerShares>(5_000, { ttl: 10_000 });

  constructor(
    private readonly catalog: CatalogClient,
    private readonly beneficiaries: BeneficiariesClient,
    @Inject(SPLIT_SETTINGS) private readonly settings: SplitSettings,
  ) {}

  /** Whether everything the order's split needs is in the caches (so `forOrder` asks no service). */
  isCached(order: OrderInput): boolean {
    const paidAt = order.payment?.paidAt;
    if (!paidAt) {
      return false;
    }
    const at = new Date(paidAt.seconds * 1_000 + Math.floor(paidAt.nanos / 1e6));
    return order.lines.every(
      (line) =>
        this.shares.has(sharesKey(line.producerId, at)) &&
        line.allocations.every((a) => {
          const lot = this.lots.get(a.lotId);
          return lot !== undefined && lot.suppliers.every((s) => this.householdVillages.has(s.householdId));
        }),
    );
  }

  async forOrder(order: OrderInput, eventId: string): Promise<SaleInput> {
    const payment = order.payment!;
    const paidAt = new Date(payment.paidAt!.seconds * 1_000 + Math.floor(payment.paidAt!.nanos / 1e6));
    const method = METHODS[payment.method] ?? payment.method.toLowerCase();
    const currency = order.total.currency || 'CNY';
    const lots = await this.lotsById(order.lines.flatMap((l) => l.allocations.map((a) => a.lotId)));
    const lines = [];
    for (const line of order.lines) {
      const lineLots: LineLot[] = line.allocations.map((a) => ({
        lotId: a.lotId,
        lotCode: a.lotCode,
        quantity: a.quantity,
        suppliers: (lots.get(a.lotId)?.suppliers ?? []).map((s) => ({ ...s, villageId: null })),
      }));
      const shares = await this.producerShares(line.producerId, paidAt);
      const supplierIds = lineLots.flatMap((l) => l.suppliers.map((s) => s.householdId));
      const villages = await this.villagesOf(line.producerId, supplierIds, paidAt);
      for (const lot of lineLots) {
        lot.suppliers = lot.suppliers.map((s) => ({ ...s, villageId: villages.get(s.householdId) ?? null }));
      }
      lines.push({
        lineId: line.id,
        productId: line.productId,
        producerId: line.producerId,
        quantity: line.quantity,
        grossFen: line.gross.fen,
        householdShareBps: line.householdShareBps,
        lots: lineLots,
        agreementShares: shares.households,
        villageCollectives: shares.villages,
        // The terms the licence had at checkout, snapshotted on the line by orders.
        licenceCommitmentBps: line.licence?.commitmentBps ?? 0,
        licenceMinPerUnitFen: line.licence?.minPerUnit?.fen ?? 0,
        feeBps: method === 'stripe' ? this.settings.cardFeeBps : 0,
      });
    }
    return {
      orderId: order.id,
      eventId,
      paidAt,
      method,
      currency,
      donationFen: order.donation?.fen ?? 0,
      lines,
      // Stripe's actual fee when orders could read it; else the lines' configured rate applies.
      processorFeeFen: method === 'stripe' ? (payment.processorFee?.fen ?? null) : null,
    };
  }

  private async lotsById(ids: string[]): Promise<Map<string, CatalogLot>> {
    const out = new Map<string, CatalogLot>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const known = this.lots.get(id);
      if (known) {
        out.set(id, known);
      } else {
        missing.push(id);
      }
    }
    if (missing.length > 0) {
      for (const lot of await this.catalog.getLots(missing)) {
        const entry = {
          suppliers: lot.suppliers.map((s) => ({ householdId: s.householdId, quantity: s.quantity })),
        };
        this.lots.set(lot.id, entry);
        out.set(lot.id, entry);
      }
    }
    return out;
  }

  private async producerShares(producerId: string, paidAt: Date): Promise<ProducerShares> {
    const key = sharesKey(producerId, paidAt);
    const known = this.shares.get(key);
    if (known) {
      return known;
    }
    const answer = await this.beneficiaries.benefitShares(producerId, paidAt);
    const shares: ProducerShares = {
      households: answer.shares.map((s) => ({
        householdId: s.householdId,
        villageId: s.villageId || null,
        weight: s.weight,
      })),
      villages: answer.villageShares.map((v) => ({ villageId: v.villageId, bps: v.shareBps })),
    };
    this.shares.set(key, shares);
    for (const s of shares.households) {
      if (s.villageId) {
        this.householdVillages.set(s.householdId, s.villageId);
      }
    }
    return shares;
  }

  private async villagesOf(
    producerId: string,
    householdIds: string[],
    asOf: Date,
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(householdIds)) {
      const known = this.householdVillages.get(id);
      if (known) {
        out.set(id, known);
      } else {
        missing.push(id);
      }
    }
    if (missing.length > 0) {
      for (const [id, village] of await this.beneficiaries.villagesOf(producerId, missing, asOf)) {
        this.householdVillages.set(id, village);
        out.set(id, village);
      }
    }
    return out;
  }
}
