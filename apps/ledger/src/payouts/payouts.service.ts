import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { BeneficiariesClient } from '../clients/beneficiaries.client';
import { JournalService } from '../journal/journal.service';
import { isNonNegativeViolation, isUniqueViolation } from '../journal/pg-errors.util';
import { PayoutBatch } from './payout-batch.entity';
import { PayoutLine } from './payout-line.entity';
import {
  fundsOf,
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

/** Households one batch pays at most. */
const MAX_LINES = 5000;

export interface BatchDetail {
  batch: PayoutBatch;
  lines: PayoutLine[];
}

/**
 * Payout batches of household balances. Creating one reserves each payable household's whole
 * balance (household → `payouts:pending:<batch>`), one batch at a time under a lock, with a
 * household in one open batch at most (a unique index); a household without a payout account is
 * a skipped line and keeps its money. Sending and settling are conditional moves of the batch's
 * row in the transaction that posts them, each under its own journal key, so neither happens twice.
 */
@Injectable()
export class PayoutsService {
  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly payouts: PayoutsRepository,
    private readonly beneficiaries: BeneficiariesClient,
  ) {}

  async create(caller: CallerIdentity | null, input: unknown): Promise<BatchDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(createBatchSchema, input);
    const seen = await this.payouts.eligible(this.em.fork(), data.minimumFen, MAX_LINES);
    if (seen.length === 0) {
      throw new NothingToPay(data.minimumFen);
    }
    const ready = new Set(await this.beneficiaries.payoutReady(seen.map((h) => h.householdId)));
    const batchId = randomUUID();
    await this.journal.prepareAccounts([payoutAccounts.pending(batchId)]);
    try {
      await this.em.fork().transactional(async (tx) => {
        await this.payouts.lockCreation(tx);
        // Read again under the lock: a batch made while we asked beneficiaries took its households.
        const now = await this.payouts.eligible(tx, data.minimumFen, MAX_LINES);
        const known = new Set(seen.map((h) => h.householdId));
        const inBatch = now.filter((h) => known.has(h.householdId));
        if (inBatch.length === 0) {
          throw new NothingToPay(data.minimumFen);
        }
        const paid = inBatch.filter((h) => ready.has(h.householdId));
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
              const pays = ready.has(h.householdId);
              return Object.assign(new PayoutLine(), {
                batchId,
                householdId: h.householdId,
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
   * sent → settled: failed lines (by reference, or the bank's return file) back to their
   * households, the rest paid. Settling again with the same failed lines answers the batch.
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
      const failedHouseholds = failedRefs.map((r) => byRef.get(r)!.householdId);
      const refs = await this.payouts.householdAccounts(this.em.fork(), failedHouseholds);
      await this.journal.prepareAccounts([
        payoutAccounts.inTransit(),
        payoutAccounts.paid(),
        ...refs.values(),
      ]);
      await this.em.fork().transactional(async (tx) => {
        const settled = await this.payouts.settle(tx, data.id, officer.userId, failedRefs);
        if (settled) {
          const failed = settled.failed.map((f) => ({ account: refs.get(f.householdId)!, fen: f.fen }));
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
