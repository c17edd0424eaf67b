import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { BeneficiariesClient } from '../clients/beneficiaries.client';
import { CatalogClient } from '../clients/catalog.client';
import { JournalService } from '../journal/journal.service';
import type { AccountRef } from '../split/accounts.util';
import { isNonNegativeViolation, isUniqueViolation } from '../journal/pg-errors.util';
import { PayoutBatch } from './payout-batch.entity';
import { PayoutLine, type PayeeKind } from './payout-line.entity';
import {
  fundsOf,
  type PayeeFunds,
  lineReference,
  payoutAccounts,
  reserveDraft,
  sentDraft,
  settleDraft,
} from './payout-plan.util';
import {
  NothingToPay,
  PayoutBalanceChanged,
  PayoutBatchMoveRefused,
  PayoutBatchNotFound,
  PayoutBatchSettled,
} from './payouts.errors';
import { PayoutsRepository } from './payouts.repository';
import { batchIdSchema, createBatchSchema, listBatchesSchema, settleSchema } from './payouts.schemas';
import { failedReferencesOf } from './return-file.util';

/** Payees one batch pays at most. */
const MAX_LINES = 5000;

export interface BatchDetail {
  batch: PayoutBatch;
  lines: PayoutLine[];
}

const payeeKey = (p: { payeeKind: PayeeKind; payeeId: string }) => `${p.payeeKind}:${p.payeeId}`;

/**
 * Payout batches of household balances and producer payables. Creating one reserves each payee's
 * whole balance (household or producer → `payouts:pending:<batch>`), one batch at a time under a
 * lock, with a payee in one open batch at most (a unique index); a payee without a payout account
 * (beneficiaries keeps households', catalog producers') is a skipped line and keeps its money. Sending and settling are conditional moves of the batch's
 * row in the transaction that posts them, each under its own journal key, so neither happens twice.
 */
@Injectable()
export class PayoutsService {
  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly payouts: PayoutsRepository,
    private readonly beneficiaries: BeneficiariesClient,
    private readonly catalog: CatalogClient,
  ) {}

  /** Households first, then producers, each in id order, at most MAX_LINES in all. */
  private async eligible(em: EntityManager, minimumFen: number): Promise<PayeeFunds[]> {
    const households = await this.payouts.eligible(em, 'household', minimumFen, MAX_LINES);
    const producers = await this.payouts.eligible(em, 'producer', minimumFen, MAX_LINES - households.length);
    return [...households, ...producers];
  }

  /** The payees that have a payout account, as `kind:id`. */
  private async ready(payees: PayeeFunds[]): Promise<Set<string>> {
    const ids = (kind: PayeeKind) => payees.filter((p) => p.payeeKind === kind).map((p) => p.payeeId);
    const [households, producers] = await Promise.all([
      this.beneficiaries.payoutReady(ids('household')),
      this.catalog.payoutReady(ids('producer')),
    ]);
    return new Set([
      ...households.map((payeeId) => payeeKey({ payeeKind: 'household', payeeId })),
      ...producers.map((payeeId) => payeeKey({ payeeKind: 'producer', payeeId })),
    ]);
  }

  async create(caller: CallerIdentity | null, input: unknown): Promise<BatchDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createBatchSchema, input);
    const seen = await this.eligible(this.em.fork(), data.minimumFen);
    if (seen.length === 0) {
      throw new NothingToPay(data.minimumFen);
    }
    const ready = await this.ready(seen);
    const batchId = randomUUID();
    await this.journal.prepareAccounts([payoutAccounts.pending(batchId)]);
    try {
      await this.em.fork().transactional(async (tx) => {
        await this.payouts.lockCreation(tx);
        // Read again under the lock: a batch made while we asked for the accounts took its payees.
        const now = await this.eligible(tx, data.minimumFen);
        const known = new Set(seen.map(payeeKey));
        const inBatch = now.filter((h) => known.has(payeeKey(h)));
        if (inBatch.length === 0) {
          throw new NothingToPay(data.minimumFen);
        }
        const paid = inBatch.filter((h) => ready.has(payeeKey(h)));
        const total = paid.reduce((s, h) => s + fundsOf(h), 0);
        await this.payouts.insert(
          tx,
          Object.assign(new PayoutBatch(), {
            id: batchId,
            minimumFen: data.minimumFen,
            totalFen: total,
            lineCount: paid.length,
            skippedCount: inBatch.length - paid.length,
            memo: data.memo,
            createdBy: officer.userId,
          }),
          (number) =>
            inBatch.map((h, i) => {
              const pays = ready.has(payeeKey(h));
              return Object.assign(new PayoutLine(), {
                batchId,
                payeeKind: h.payeeKind,
                payeeId: h.payeeId,
                seq: i + 1,
                reference: pays ? lineReference(number, i + 1) : null,
                amountFen: pays ? fundsOf(h) : 0,
                status: pays ? 'reserved' : 'skipped',
                skipReason: pays ? null : 'no payout account',
              });
            }),
        );
        await this.journal.post(tx, reserveDraft(batchId, paid, new Date()));
      });
    } catch (error) {
      if (isUniqueViolation(error) || isNonNegativeViolation(error)) {
        throw new PayoutBalanceChanged();
      }
      throw error;
    }
    return this.detail(this.em.fork(), batchId);
  }

  async get(caller: CallerIdentity | null, input: unknown): Promise<BatchDetail> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.detail(this.em.fork(), parseRequest(batchIdSchema, input).id);
  }

  async list(caller: CallerIdentity | null, input: unknown): Promise<PayoutBatch[]> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.payouts.list(this.em.fork(), parseRequest(listBatchesSchema, input).state);
  }

  /** draft → sent, posting pending → in transit once; a sent batch is answered as it is. */
  async markSent(caller: CallerIdentity | null, input: unknown): Promise<BatchDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const { id } = parseRequest(batchIdSchema, input);
    const { batch } = await this.detail(this.em.fork(), id);
    if (batch.state === 'settled') {
      throw new PayoutBatchMoveRefused(batch.state, 'sent');
    }
    await this.journal.prepareAccounts([payoutAccounts.pending(id), payoutAccounts.inTransit()]);
    await this.em.fork().transactional(async (tx) => {
      if (await this.payouts.markSent(tx, id, officer.userId)) {
        await this.journal.post(tx, sentDraft(id, batch.totalFen, new Date()));
      }
    });
    const after = await this.detail(this.em.fork(), id);
    if (after.batch.state !== 'sent') {
      throw new PayoutBatchMoveRefused(after.batch.state, 'sent');
    }
    return after;
  }

  /**
   * sent → settled: failed lines (by reference, or the bank's return file) back to their payees'
   * accounts (a household's benefit, a producer's payable), the rest paid. Settling again with the same failed lines answers the batch.
   */
  async settle(caller: CallerIdentity | null, input: unknown): Promise<BatchDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(settleSchema, input);
    const failedRefs = [
      ...new Set([
        ...data.failedReferences,
        ...(data.returnFile && data.returnFile.length > 0 ? failedReferencesOf(data.returnFile) : []),
      ]),
    ].sort();
    const { batch, lines } = await this.detail(this.em.fork(), data.id);
    const byRef = new Map(lines.filter((l) => l.reference).map((l) => [l.reference!, l]));
    const unknown = failedRefs.filter((r) => !byRef.has(r));
    if (unknown.length > 0) {
      throw new ValidationFailed(
        unknown
          .slice(0, 20)
          .map((r) => ({ field: 'failedReferences', reason: `${r} is not a line of this batch` })),
      );
    }
    if (batch.state === 'draft') {
      throw new PayoutBatchMoveRefused(batch.state, 'settled before it is sent');
    }
    if (batch.state === 'sent') {
      const failedLines = failedRefs.map((r) => byRef.get(r)!);
      const idsOf = (kind: PayeeKind) =>
        failedLines.filter((l) => l.payeeKind === kind).map((l) => l.payeeId);
      const em = this.em.fork();
      const refs = new Map<string, AccountRef>();
      for (const kind of ['household', 'producer'] as const) {
        for (const [payeeId, ref] of await this.payouts.payeeAccounts(em, kind, idsOf(kind))) {
          refs.set(payeeKey({ payeeKind: kind, payeeId }), ref);
        }
      }
      await this.journal.prepareAccounts([
        payoutAccounts.inTransit(),
        payoutAccounts.paid(),
        ...refs.values(),
      ]);
      await this.em.fork().transactional(async (tx) => {
        const settled = await this.payouts.settle(tx, data.id, officer.userId, failedRefs);
        if (settled) {
          const failed = settled.failed.map((f) => ({ account: refs.get(payeeKey(f))!, fen: f.fen }));
          await this.journal.post(tx, settleDraft(data.id, settled.paidFen, failed, new Date()));
        }
      });
    }
    const after = await this.detail(this.em.fork(), data.id);
    const failedNow = after.lines
      .filter((l) => l.status === 'failed')
      .map((l) => l.reference!)
      .sort();
    if (after.batch.state !== 'settled') {
      throw new PayoutBatchMoveRefused(after.batch.state, 'settled');
    }
    if (failedNow.join('\n') !== failedRefs.join('\n')) {
      throw new PayoutBatchSettled();
    }
    return after;
  }

  private async detail(em: EntityManager, id: string): Promise<BatchDetail> {
    const batch = await this.payouts.find(em, id);
    if (!batch) {
      throw new PayoutBatchNotFound(id);
    }
    return { batch, lines: await this.payouts.lines(em, id) };
  }
}
