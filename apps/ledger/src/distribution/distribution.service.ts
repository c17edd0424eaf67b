import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { beneficiaries } from '@yugong/contracts';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { BeneficiariesClient } from '../clients/beneficiaries.client';
import { JournalService } from '../journal/journal.service';
import { isNonNegativeViolation } from '../journal/pg-errors.util';
import { accounts } from '../split/accounts.util';
import { distributionDraft, planFundDebits, planShares, type Candidate } from './distribution-plan.util';
import { DistributionRun } from './distribution-run.entity';
import { DistributionShare } from './distribution-share.entity';
import {
  DistributionRunNotFound,
  FourEyesRequired,
  FundInsufficient,
  NoRecipients,
  NotTheProposer,
  RunNotProposed,
} from './distribution.errors';
import { DistributionRepository } from './distribution.repository';
import { decideSchema, listRunsSchema, proposeSchema, runIdSchema } from './distribution.schemas';

const CURRENCY = 'CNY';

export interface RunDetail {
  run: DistributionRun;
  shares: DistributionShare[];
}

const statusName = (wire: string) => wire.replace(/^HOUSEHOLD_STATUS_/, '').toLowerCase();
const statusWire = (name: string) =>
  `HOUSEHOLD_STATUS_${name.toUpperCase()}` as beneficiaries.HouseholdStatus;

/**
 * Distribution runs of the relief fund under four eyes. A proposal fixes the recipients (from
 * beneficiaries, by filter) and every one's fen (largest remainder under the policy): the preview.
 * Another officer's approval posts exactly that preview as one transaction, once: the run's row
 * is locked and moved from `proposed` in the transaction that posts, the journal's idempotency
 * key `distribution:<run>` refuses a second, and the fund's non-negative balance rows refuse a
 * run the fund no longer holds.
 */
@Injectable()
export class DistributionService {
  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly runs: DistributionRepository,
    private readonly beneficiaries: BeneficiariesClient,
  ) {}

  /** What a run may distribute now, in fen. */
  async available(em: EntityManager): Promise<number> {
    const rows = await this.runs.fundAvailable(em, accounts.reliefFund(CURRENCY).code);
    return rows.reduce((s, r) => s + r.fen, 0);
  }

  async propose(caller: CallerIdentity | null, input: unknown): Promise<RunDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(proposeSchema, input);
    const em = this.em.fork();
    if (data.idempotencyKey) {
      const known = await this.runs.findByKey(em, officer.userId, data.idempotencyKey);
      if (known) {
        return { run: known, shares: await this.runs.shares(em, known.id) };
      }
    }
    const found = await this.beneficiaries.distributionRecipients({
      townId: data.townId,
      villageId: data.villageId,
      status: data.status ? statusWire(data.status) : undefined,
    });
    if (found.length === 0) {
      throw new NoRecipients('no household matches the filter');
    }
    const candidates: Candidate[] = found.map((h) => ({
      householdId: h.householdId,
      villageId: h.villageId,
      townId: h.townId,
      members: h.members,
      status: statusName(h.status),
    }));
    const available = await this.available(em);
    const total = data.allAvailable ? available : data.totalFen;
    if (total === 0 || total > available) {
      throw new FundInsufficient(total, available);
    }
    const shares = planShares(data.policy, candidates, total, data.statusWeights);
    if (!shares) {
      throw new ValidationFailed([
        { field: 'statusWeights', reason: 'every matching household weighs 0 under this policy' },
      ]);
    }
    const run = Object.assign(new DistributionRun(), {
      policy: data.policy,
      townId: data.townId ?? null,
      villageId: data.villageId ?? null,
      statusFilter: data.status ?? null,
      statusWeights: data.statusWeights,
      allAvailable: data.allAvailable,
      totalFen: total,
      recipients: shares.length,
      currency: CURRENCY,
      memo: data.memo,
      idempotencyKey: data.idempotencyKey ?? null,
      proposedBy: officer.userId,
    });
    const rows = shares.map((s) =>
      Object.assign(new DistributionShare(), {
        runId: run.id,
        householdId: s.householdId,
        villageId: s.villageId,
        townId: s.townId,
        members: s.members,
        status: s.status,
        weight: s.weight,
        fen: s.fen,
      }),
    );
    try {
      await em.transactional((tx) => this.runs.insert(tx, run, rows));
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && data.idempotencyKey) {
        const known = await this.runs.findByKey(this.em.fork(), officer.userId, data.idempotencyKey);
        if (known) {
          return { run: known, shares: await this.runs.shares(this.em.fork(), known.id) };
        }
      }
      throw error;
    }
    return this.detail(this.em.fork(), run.id);
  }

  async get(caller: CallerIdentity | null, input: unknown): Promise<RunDetail> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.detail(this.em.fork(), parseRequest(runIdSchema, input).id);
  }

  async list(caller: CallerIdentity | null, input: unknown): Promise<DistributionRun[]> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.runs.list(this.em.fork(), parseRequest(listRunsSchema, input).state);
  }

  /** Posts the run's preview as one transaction; approving an approved run answers it unchanged. */
  async approve(caller: CallerIdentity | null, input: unknown): Promise<RunDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const { id } = parseRequest(runIdSchema, input);
    const em = this.em.fork();
    const { run, shares } = await this.detail(em, id);
    if (run.proposedBy === officer.userId) {
      throw new FourEyesRequired('approve');
    }
    if (run.state === 'approved') {
      return { run, shares };
    }
    if (run.state !== 'proposed') {
      throw new RunNotProposed(run.state);
    }
    await this.journal.prepareAccounts([
      accounts.reliefFund(run.currency),
      ...shares.map((s) => accounts.household(s.householdId, s.villageId, run.currency)),
    ]);
    try {
      await em.transactional(async (tx) => {
        const locked = await this.runs.lockRun(tx, id);
        if (locked?.state !== 'proposed') {
          return; // Approved (or decided) by someone else while we waited for the row.
        }
        await this.runs.lockFund(tx);
        const slots = await this.runs.fundAvailable(tx, accounts.reliefFund(run.currency).code);
        const debits = planFundDebits(slots, run.totalFen);
        if (!debits) {
          throw new FundInsufficient(
            run.totalFen,
            slots.reduce((s, r) => s + r.fen, 0),
          );
        }
        const draft = distributionDraft(run, shares, debits, new Date());
        const transactionId = await this.journal.post(tx, draft);
        if (!transactionId) {
          throw new RunNotProposed('posted already');
        }
        await this.runs.decide(tx, id, 'approved', officer.userId, null, transactionId);
      });
    } catch (error) {
      if (isNonNegativeViolation(error)) {
        throw new FundInsufficient(run.totalFen, await this.available(this.em.fork()));
      }
      throw error;
    }
    const after = await this.detail(this.em.fork(), id);
    if (after.run.state !== 'approved') {
      throw new RunNotProposed(after.run.state);
    }
    return after;
  }

  /** Another officer turns the run down; nothing is posted. */
  async reject(caller: CallerIdentity | null, input: unknown): Promise<RunDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(decideSchema, input);
    const { run } = await this.detail(this.em.fork(), data.id);
    if (run.proposedBy === officer.userId) {
      throw new FourEyesRequired('reject');
    }
    return this.close(run, 'rejected', officer.userId, data.reason);
  }

  /** The proposer withdraws the run; nothing is posted. */
  async cancel(caller: CallerIdentity | null, input: unknown): Promise<RunDetail> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(decideSchema, input);
    const { run } = await this.detail(this.em.fork(), data.id);
    if (run.proposedBy !== officer.userId) {
      throw new NotTheProposer();
    }
    return this.close(run, 'cancelled', officer.userId, data.reason);
  }

  private async close(
    run: DistributionRun,
    to: 'rejected' | 'cancelled',
    by: string,
    reason: string,
  ): Promise<RunDetail> {
    const em = this.em.fork();
    const moved = await em.transactional((tx) => this.runs.decide(tx, run.id, to, by, reason, null));
    const after = await this.detail(this.em.fork(), run.id);
    if (!moved && !(after.run.state === to && after.run.decidedBy === by)) {
      throw new RunNotProposed(after.run.state);
    }
    return after;
  }

  private async detail(em: EntityManager, id: string): Promise<RunDetail> {
    const run = await this.runs.find(em, id);
    if (!run) {
      throw new DistributionRunNotFound(id);
    }
    return { run, shares: await this.runs.shares(em, id) };
  }
}
