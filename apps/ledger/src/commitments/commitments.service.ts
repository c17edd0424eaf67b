import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { parseRequest } from '@yugong/shared/grpc';
import { JournalService } from '../journal/journal.service';
import { isNonNegativeViolation, isUniqueViolation } from '../journal/pg-errors.util';
import { accounts } from '../split/accounts.util';
import type { TransactionDraft } from '../split/sale-split.util';
import { ReceivableExceeded } from './commitments.errors';
import { CommitmentsRepository } from './commitments.repository';
import { postDeclaredSchema, settleDeclaredSchema } from './commitments.schemas';

export interface Posted {
  transactionId: string;
  replayed: boolean;
}

/** Where a declared commitment's payment arrives: the relief office's own bank account. */
const PAID_INTO = 'manual';

/**
 * Licence commitments on sales made outside the platform, as licensing tells them: a quarter's
 * declared commitment becomes the producer's receivable, owed to the fund
 * (`fund:relief:declared`); each payment received settles part of the receivable and moves as
 * much into `fund:relief`, so the fund (and what a distribution may spend) holds only money
 * received. Their fund postings are `declared_licence`, not a sale's `licence`: no refund takes
 * them back, so a distribution may spend them once paid. One transaction per declaration and
 * per payment (the journal's idempotency key); the receivable's balance rows are non-negative, so
 * no payment is posted beyond what the producer's declarations left due.
 */
@Injectable()
export class CommitmentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly rows: CommitmentsRepository,
  ) {}

  async postDeclared(input: unknown): Promise<Posted> {
    const req = parseRequest(postDeclaredSchema, input);
    return this.postOnce({
      idempotencyKey: `declaration:${req.declarationId}:declared`,
      kind: 'commitment_declared',
      occurredAt: req.declaredAt,
      orderId: null,
      sourceEventId: null,
      memo: `licence ${req.licenceNumber} commitment declared for ${req.quarter} off-platform sales`,
      postings: [
        {
          account: accounts.commitmentReceivable(req.producerId),
          side: 'debit',
          fen: req.amountFen,
          role: 'receivable',
          producerId: req.producerId,
        },
        {
          account: accounts.reliefFundDeclared(),
          side: 'credit',
          fen: req.amountFen,
          role: 'declared_licence',
          producerId: req.producerId,
        },
      ],
    });
  }

  async settleDeclared(input: unknown): Promise<Posted> {
    const req = parseRequest(settleDeclaredSchema, input);
    return this.postOnce({
      idempotencyKey: `declaration:${req.declarationId}:payment:${req.paymentId}`,
      kind: 'commitment_paid',
      occurredAt: req.receivedAt,
      orderId: null,
      sourceEventId: null,
      memo: `declared commitment ${req.declarationId} paid${req.reference ? ` (${req.reference})` : ''}`,
      postings: [
        {
          account: accounts.clearing(PAID_INTO),
          side: 'debit',
          fen: req.amountFen,
          role: 'clearing',
          producerId: req.producerId,
        },
        {
          account: accounts.commitmentReceivable(req.producerId),
          side: 'credit',
          fen: req.amountFen,
          role: 'receivable',
          producerId: req.producerId,
        },
        // Received: what was owed to the fund is now in it.
        {
          account: accounts.reliefFundDeclared(),
          side: 'debit',
          fen: req.amountFen,
          role: 'declared_licence',
          producerId: req.producerId,
        },
        {
          account: accounts.reliefFund(),
          side: 'credit',
          fen: req.amountFen,
          role: 'declared_licence',
          producerId: req.producerId,
        },
      ],
    });
  }

  /** Posts the draft once; a repeat (or a concurrent twin) answers the transaction first written. */
  private async postOnce(draft: TransactionDraft): Promise<Posted> {
    const em = this.em.fork();
    const earlier = await this.rows.transactionIdOf(em, draft.idempotencyKey);
    if (earlier) {
      return { transactionId: earlier, replayed: true };
    }
    await this.journal.prepareAccounts(draft.postings.map((p) => p.account));
    try {
      const id = await em.transactional((tx) => this.journal.post(tx, draft));
      if (id) {
        return { transactionId: id, replayed: false };
      }
    } catch (error) {
      if (isNonNegativeViolation(error)) {
        throw new ReceivableExceeded();
      }
      if (!isUniqueViolation(error)) {
        throw error;
      }
    }
    const id = await this.rows.transactionIdOf(em, draft.idempotencyKey);
    if (!id) {
      throw new Error(`transaction ${draft.idempotencyKey} neither written nor found`);
    }
    return { transactionId: id, replayed: true };
  }
}
