import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, requireCaller, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { fromTimestamp, parseRequest } from '@yugong/shared/grpc';
import { OrdersClient } from '../clients/orders.client';
import {
  reconcilePayouts,
  reconcileProcessor,
  sortItems,
  type ProcessorEntry,
  type ReconciliationItem,
} from './reconcile.util';
import { ProcessorHistoryTooLong, ProcessorUnreachable } from './reconciliation.errors';
import { ReconciliationRepository } from './reconciliation.repository';
import { reconciliationSchema } from './reconciliation.schemas';

/**
 * How far past the period both sides are read, so that a payment the processor booked just
 * before midnight and the ledger just after is matched rather than reported on both sides.
 */
export const BOUNDARY_GRACE_MS = 2 * 86_400_000;
/** Per page of the processor's history (orders' own Stripe timeout and retries fit in it). */
const PAGE_DEADLINE_MS = 30_000;
/** Processor entries one report reads at most (100 a page). */
export const MAX_PROCESSOR_ENTRIES = 50_000;

export interface ReconciliationReport {
  items: ReconciliationItem[];
  processorEntries: number;
  ledgerEntries: number;
  payoutLines: number;
  processorChecked: boolean;
}

/**
 * The three-way reconciliation of a period: the ledger's card clearing and fees against the
 * processor's balance entries (read through orders, which holds the key), and payout batches
 * against their postings and settlements. Read-only; an empty list means every fen agrees.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: ReconciliationRepository,
    private readonly orders: OrdersClient,
  ) {}

  async report(caller: CallerIdentity | null, input: unknown): Promise<ReconciliationReport> {
    if (!canReadAll(requireCaller(caller))) {
      throw new PermissionDenied('only auditors and the relief office read the reconciliation');
    }
    const { from, to } = parseRequest(reconciliationSchema, input);
    const wideFrom = new Date(from.getTime() - BOUNDARY_GRACE_MS);
    const wideTo = new Date(to.getTime() + BOUNDARY_GRACE_MS);
    const { entries, configured } = await this.processorEntries(wideFrom, wideTo);
    const em = this.em.fork();
    const ledgerEntries = await this.queries.clearingEntries(em, 'stripe', wideFrom, wideTo);
    const unsettled = await this.queries.unsettledLines(em, to);
    const batches = await this.queries.batchFigures(em, from, to);
    const items = sortItems([
      ...(configured ? reconcileProcessor(ledgerEntries, entries, from, to) : []),
      ...reconcilePayouts(unsettled, batches),
    ]);
    return {
      items,
      processorEntries: entries.length,
      ledgerEntries: ledgerEntries.length,
      payoutLines: unsettled.length,
      processorChecked: configured,
    };
  }

  private async processorEntries(
    from: Date,
    to: Date,
  ): Promise<{ entries: ProcessorEntry[]; configured: boolean }> {
    const entries: ProcessorEntry[] = [];
    let after = '';
    for (;;) {
      let page;
      try {
        page = await this.orders.balanceEntries(from, to, after, PAGE_DEADLINE_MS);
      } catch (error) {
        throw new ProcessorUnreachable((error as Error).message);
      }
      if (!page.configured) {
        return { entries: [], configured: false };
      }
      for (const t of page.transactions) {
        entries.push({
          id: t.id,
          type: t.type,
          amountFen: t.amountFen,
          feeFen: t.feeFen,
          currency: t.currency,
          created: fromTimestamp(t.created) ?? new Date(0),
          source: t.source,
          paymentIntent: t.paymentIntent,
          orderId: t.orderId,
          refundId: t.refundId,
        });
      }
      if (entries.length > MAX_PROCESSOR_ENTRIES) {
        throw new ProcessorHistoryTooLong(MAX_PROCESSOR_ENTRIES);
      }
      const last = page.transactions.at(-1);
      if (!page.hasMore || !last) {
        return { entries, configured: true };
      }
      after = last.id;
    }
  }
}
