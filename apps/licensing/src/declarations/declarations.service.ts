import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  canReadAll,
  requireCaller,
  requireProducerAccess,
  requireRole,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import { LedgerClient } from '../clients/ledger.client';
import { LicenceNotFound } from '../licences/licence.errors';
import {
  DeclarationAlreadyMade,
  DeclarationIncomplete,
  DeclarationNotFound,
  PaymentExceedsDue,
  PaymentKeyReused,
  QuarterNotDeclarable,
} from './declaration.errors';
import {
  DeclarationRepository,
  type DeclarationView,
  type OverdueQuarter,
  type PaymentView,
} from './declaration.repository';
import {
  declareSchema,
  listDeclarationsSchema,
  recordPaymentSchema,
  type DeclareInput,
  type ListDeclarationsInput,
  type RecordPaymentInput,
} from './declaration.schemas';
import { declaredCommitmentOf, parseQuarter } from './quarter.util';

/** Days after a quarter's end a live licence's declaration of it is overdue. */
export const DECLARATION_GRACE_DAYS = Symbol('DECLARATION_GRACE_DAYS');

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/**
 * Licensees' quarterly declarations of sales made outside the platform. Each states the commitment
 * the licence's terms make of them; the ledger posts it as the producer's receivable, and each
 * payment an officer records settles part of it. Licensing writes first and tells the ledger
 * after (the ids are the ledger's idempotency keys); what the ledger has not acknowledged, the
 * posting job tells it again.
 */
@Injectable()
export class DeclarationsService {
  private readonly logger = new Logger(DeclarationsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly rows: DeclarationRepository,
    private readonly ledger: LedgerClient,
    @Inject(DECLARATION_GRACE_DAYS) private readonly graceDays: number,
  ) {}

  /** Staff of the licence's producer, or officers and admins on its behalf. */
  async declare(caller: CallerIdentity | null, input: Loose<DeclareInput>): Promise<DeclarationView> {
    const who = requireRole(caller, 'producer_staff', 'relief_officer', 'admin');
    const req = parseRequest(declareSchema, input);
    const em = this.em.fork();
    const licence = await this.rows.licence(em, req.licenceId);
    // Another producer's licence is as unknown to its staff as a made-up id.
    if (!licence || (!canReadAll(who) && !who.producerIds.includes(licence.producerId))) {
      throw new LicenceNotFound(req.licenceId);
    }
    const declarer = requireProducerAccess(caller, licence.producerId);
    const quarter = parseQuarter(req.quarter)!;
    if (!licence.number || !licence.validFrom || !licence.validTo) {
      throw new QuarterNotDeclarable('the licence was never approved');
    }
    if (quarter.end.getTime() > Date.now()) {
      throw new QuarterNotDeclarable('the quarter has not ended');
    }
    if (quarter.end <= licence.validFrom || quarter.start >= licence.validTo) {
      throw new QuarterNotDeclarable('the licence was not in force in that quarter');
    }
    if (licence.commitmentBps > 0 && req.units > 0 && req.revenueFen === 0) {
      throw new DeclarationIncomplete('revenueFen', "is required by the licence's rate of the revenue");
    }
    if (licence.minPerUnitFen > 0 && req.revenueFen > 0 && req.units === 0) {
      throw new DeclarationIncomplete('units', "is required by the licence's minimum per unit");
    }
    const commitmentFen = declaredCommitmentOf({
      commitmentBps: licence.commitmentBps,
      minPerUnitFen: licence.minPerUnitFen,
      units: req.units,
      revenueFen: req.revenueFen,
    });
    const id = randomUUID();
    try {
      await this.rows.insertDeclaration(em.fork(), {
        id,
        licenceId: licence.id,
        producerId: licence.producerId,
        quarter: quarter.label,
        units: req.units,
        revenueFen: req.revenueFen,
        commitmentBps: licence.commitmentBps,
        minPerUnitFen: licence.minPerUnitFen,
        commitmentFen,
        note: req.note,
        declaredBy: declarer.userId,
        // Nothing to post of a quarter without a commitment.
        postedAt: commitmentFen === 0 ? new Date() : null,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DeclarationAlreadyMade(quarter.label);
      }
      throw error;
    }
    const declared = (await this.rows.find(em, id))!;
    await this.postDeclaration(declared);
    return (await this.rows.find(this.em.fork(), id))!;
  }

  /** Officers, admins, auditors: all; producer staff: their producers'. */
  async list(
    caller: CallerIdentity | null,
    input: Loose<ListDeclarationsInput>,
  ): Promise<{ items: DeclarationView[]; total: number; page: number; pageSize: number }> {
    const reader = requireCaller(caller);
    if (!canReadAll(reader)) {
      requireRole(reader, 'producer_staff');
    }
    const q = parseRequest(listDeclarationsSchema, input);
    const { items, total } = await this.rows.page(this.em.fork(), {
      licenceId: q.licenceId || undefined,
      producerId: q.producerId || undefined,
      producerIds: canReadAll(reader) ? undefined : reader.producerIds,
      quarter: q.quarter || undefined,
      offset: q.page.offset,
      limit: q.page.limit,
    });
    return { items, total, page: q.page.page, pageSize: q.page.pageSize };
  }

  /**
   * Relief officers and admins: a payment received. The payment row (unique per declaration and
   * key) and the conditional update of what was paid go in one transaction, so a repeat records
   * nothing and concurrent payments never take the total beyond the commitment.
   */
  async recordPayment(
    caller: CallerIdentity | null,
    input: Loose<RecordPaymentInput>,
  ): Promise<{ declaration: DeclarationView; payment: PaymentView; replayed: boolean }> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(recordPaymentSchema, input);
    const em = this.em.fork();
    const declaration = await this.rows.find(em, req.declarationId);
    if (!declaration) {
      throw new DeclarationNotFound(req.declarationId);
    }
    const replay = async () => {
      const known = await this.rows.paymentByKey(this.em.fork(), declaration.id, req.idempotencyKey);
      if (!known) {
        return undefined;
      }
      if (known.amountFen !== req.amountFen || known.reference !== req.reference) {
        throw new PaymentKeyReused();
      }
      return known;
    };
    const earlier = await replay();
    if (earlier) {
      return {
        declaration: (await this.rows.find(this.em.fork(), declaration.id))!,
        payment: earlier,
        replayed: true,
      };
    }
    const paymentId = randomUUID();
    const written = await em.fork().transactional(async (tx) => {
      const inserted = await this.rows.insertPayment(tx, {
        id: paymentId,
        declarationId: declaration.id,
        amountFen: req.amountFen,
        reference: req.reference,
        idempotencyKey: req.idempotencyKey,
        recordedBy: officer.userId,
      });
      if (!inserted) {
        return false;
      }
      if (!(await this.rows.addPaid(tx, declaration.id, req.amountFen))) {
        const now = (await this.rows.find(tx, declaration.id))!;
        throw new PaymentExceedsDue(now.commitmentFen - now.paidFen);
      }
      return true;
    });
    if (!written) {
      // The same key committed meanwhile.
      const again = await replay();
      return {
        declaration: (await this.rows.find(this.em.fork(), declaration.id))!,
        payment: again!,
        replayed: true,
      };
    }
    await this.postPending();
    const after = (await this.rows.find(this.em.fork(), declaration.id))!;
    return { declaration: after, payment: after.payments.find((p) => p.id === paymentId)!, replayed: false };
  }

  /** Officers, admins, auditors: quarters of live licences still undeclared past the grace days. */
  async overdue(caller: CallerIdentity | null): Promise<{ overdue: OverdueQuarter[]; graceDays: number }> {
    if (!canReadAll(requireCaller(caller))) {
      throw new PermissionDenied('only the relief office and auditors read overdue declarations');
    }
    const overdue = await this.rows.overdue(this.em.fork(), this.graceDays, new Date(), 1_000);
    return { overdue, graceDays: this.graceDays };
  }

  /**
   * Tells the ledger every declaration and payment it has not acknowledged (declarations first:
   * a payment settles a receivable that must be there). Answers how many it acknowledged; a
   * failure is logged and left for the next pass.
   */
  async postPending(): Promise<number> {
    const em = this.em.fork();
    let posted = 0;
    for (const id of await this.rows.unpostedDeclarations(em, 100)) {
      const d = await this.rows.find(em, id);
      if (d && (await this.postDeclaration(d))) {
        posted++;
      }
    }
    for (const p of await this.rows.unpostedPayments(em, 100)) {
      const d = (await this.rows.find(em, p.declarationId))!;
      try {
        await this.ledger.settleDeclared({
          paymentId: p.id,
          declarationId: d.id,
          producerId: d.producerId,
          amountFen: p.amountFen,
          receivedAt: p.recordedAt,
          reference: p.reference,
        });
        await this.rows.markPaymentPosted(em, p.id);
        posted++;
      } catch (error) {
        this.logger.warn({ paymentId: p.id, err: (error as Error).message }, 'payment not posted yet');
      }
    }
    return posted;
  }

  private async postDeclaration(d: DeclarationView): Promise<boolean> {
    if (d.postedAt) {
      return false;
    }
    try {
      await this.ledger.postDeclared({
        declarationId: d.id,
        producerId: d.producerId,
        licenceId: d.licenceId,
        licenceNumber: d.licenceNumber,
        quarter: d.quarter,
        amountFen: d.commitmentFen,
        declaredAt: d.declaredAt,
      });
      await this.rows.markDeclarationPosted(this.em.fork(), d.id);
      return true;
    } catch (error) {
      this.logger.warn({ declarationId: d.id, err: (error as Error).message }, 'declaration not posted yet');
      return false;
    }
  }
}
