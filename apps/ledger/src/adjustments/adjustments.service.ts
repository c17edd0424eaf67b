import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { createHash } from 'node:crypto';
import { BeneficiariesClient } from '../clients/beneficiaries.client';
import { OrderEventsRepository } from '../events/order-events.repository';
import { JournalService } from '../journal/journal.service';
import { isUniqueViolation } from '../journal/pg-errors.util';
import { accounts } from '../split/accounts.util';
import type { TransactionDraft } from '../split/sale-split.util';
import {
  AllocationExceedsBalance,
  IdempotencyKeyReused,
  SuspenseAlreadySettled,
  SuspenseNotFound,
} from './adjustments.errors';
import { AdjustmentsRepository, type SuspenseRow } from './adjustments.repository';
import { allocateSchema, settleSchema } from './adjustments.schemas';
import { planAllocation } from './allocation-plan.util';

const OUTCOMES = { return: 'returned', accept: 'accepted' } as const;

export interface AllocationResult {
  transactionId: string;
  producerId: string;
  fen: number;
  allocations: { householdId: string; villageId: string | null; fen: number }[];
  replayed: boolean;
}

/**
 * The relief office's corrections of where money waits: a producer's unallocated household share
 * allocated to households, and a payment in suspense returned or accepted. Each is one balanced
 * transaction, written once (the journal's idempotency key, and a row whose key refuses a second),
 * and never takes more than an account's balance rows hold (their non-negative CHECK).
 */
@Injectable()
export class AdjustmentsService {
  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly rows: AdjustmentsRepository,
    private readonly orderEvents: OrderEventsRepository,
    private readonly beneficiaries: BeneficiariesClient,
  ) {}

  async unallocatedBalances(caller: CallerIdentity | null) {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.rows.unallocatedBalances(this.em.fork());
  }

  async allocate(caller: CallerIdentity | null, input: unknown): Promise<AllocationResult> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(allocateSchema, input);
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          data.producerId,
          data.amountFen,
          data.households.map((h) => [h.householdId, h.weight]),
        ]),
      )
      .digest('hex');
    const em = this.em.fork();
    const replay = async (): Promise<AllocationResult | undefined> => {
      const known = await this.rows.findAllocation(em, data.idempotencyKey);
      if (!known) {
        return undefined;
      }
      if (known.requestHash !== requestHash) {
        throw new IdempotencyKeyReused();
      }
      const allocations = await this.rows.householdCredits(em, known.transactionId);
      return {
        transactionId: known.transactionId,
        producerId: known.producerId,
        fen: allocations.reduce((s, a) => s + a.fen, 0),
        allocations,
        replayed: true,
      };
    };
    const earlier = await replay();
    if (earlier) {
      return earlier;
    }

    const found = await this.beneficiaries.distributionRecipients({
      householdIds: data.households.map((h) => h.householdId),
    });
    const villages = new Map(found.map((h) => [h.householdId, h.villageId]));
    const unknown = data.households.flatMap((h, i) =>
      villages.has(h.householdId)
        ? []
        : [{ field: `households.${i}.householdId`, reason: 'no such household' }],
    );
    if (unknown.length > 0) {
      throw new ValidationFailed(unknown, 'unknown households');
    }
    const equal = data.households.every((h) => h.weight === 0);
    const targets = data.households.map((h) => ({
      householdId: h.householdId,
      villageId: villages.get(h.householdId) ?? null,
      weight: equal ? 1 : h.weight,
    }));
    const source = accounts.unallocated(data.producerId);
    await this.journal.prepareAccounts([
      source,
      ...targets.map((t) => accounts.household(t.householdId, t.villageId)),
    ]);

    try {
      return await em.transactional(async (tx) => {
        await this.rows.lockProducer(tx, data.producerId);
        // Lock the orders whose lines hold the share, then read what stands of those lines: a sale
        // posted meanwhile is left for the next allocation, a refund waits for this one.
        const orders = new Set((await this.rows.unallocatedParts(tx, source.code)).map((p) => p.orderId));
        // The events' own order lock, in one order so that two allocations never deadlock.
        for (const orderId of [...orders].sort()) {
          await this.orderEvents.lockOrder(tx, orderId);
        }
        const parts = (await this.rows.unallocatedParts(tx, source.code)).filter((p) =>
          orders.has(p.orderId),
        );
        const held = parts.reduce((s, p) => s + p.fen, 0);
        const amount = data.amountFen === 0 ? held : data.amountFen;
        if (amount === 0 || amount > held) {
          throw new AllocationExceedsBalance(amount, held);
        }
        const plan = planAllocation({
          producerId: data.producerId,
          parts,
          households: targets,
          amountFen: amount,
          idempotencyKey: data.idempotencyKey,
          occurredAt: new Date(),
          memo: `unallocated household share of producer ${data.producerId} allocated: ${data.reason}`,
        });
        const transactionId = await this.journal.post(tx, plan.draft);
        if (!transactionId) {
          // The same key committed meanwhile: answer it after this transaction ends.
          throw new KeyTaken();
        }
        await this.rows.insertAllocation(tx, {
          idempotencyKey: data.idempotencyKey,
          producerId: data.producerId,
          requestHash,
          transactionId,
          allocatedBy: officer.userId,
          reason: data.reason,
        });
        return {
          transactionId,
          producerId: data.producerId,
          fen: amount,
          allocations: plan.perHousehold.filter((h) => h.fen > 0),
          replayed: false,
        };
      });
    } catch (error) {
      if (error instanceof KeyTaken || isUniqueViolation(error)) {
        const again = await replay();
        if (again) {
          return again;
        }
      }
      throw error;
    }
  }

  async listSuspense(caller: CallerIdentity | null): Promise<SuspenseRow[]> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    return this.rows.suspense(this.em.fork());
  }

  /**
   * Settles a payment held in suspense, once. `return`: the money is owed back to the payer
   * (`buyers:refunds_due`, paid out with the refunds). `accept`: the payer let the relief office
   * keep it, and it goes to the relief fund as a donation. It never pays the order: only orders
   * decides an order is paid, and its `order.paid` brings the sale's own split.
   */
  async settle(caller: CallerIdentity | null, input: unknown): Promise<SuspenseRow> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(settleSchema, input);
    const outcome = OUTCOMES[data.outcome];
    const em = this.em.fork();
    const [item] = await this.rows.suspense(em, data.transactionId);
    if (!item) {
      throw new SuspenseNotFound(data.transactionId);
    }
    const answerSettled = (settled: SuspenseRow): SuspenseRow => {
      if (settled.settlement!.outcome !== outcome) {
        throw new SuspenseAlreadySettled(settled.settlement!.outcome);
      }
      return settled;
    };
    if (item.settlement) {
      return answerSettled(item);
    }
    const draft = settlementDraft(item, outcome, data.reason);
    await this.journal.prepareAccounts(draft.postings.map((p) => p.account));
    try {
      await em.transactional(async (tx) => {
        const transactionId = await this.journal.post(tx, draft);
        if (!transactionId) {
          throw new KeyTaken();
        }
        await this.rows.insertSettlement(tx, {
          suspenseTransactionId: item.transactionId,
          outcome,
          reason: data.reason,
          settledBy: officer.userId,
          transactionId,
        });
      });
    } catch (error) {
      if (!(error instanceof KeyTaken) && !isUniqueViolation(error)) {
        throw error;
      }
    }
    const [settled] = await this.rows.suspense(em, item.transactionId);
    return answerSettled(settled!);
  }
}

/** The journal already holds a transaction under this key: someone else wrote it first. */
class KeyTaken extends Error {}

function settlementDraft(
  item: SuspenseRow,
  outcome: 'returned' | 'accepted',
  reason: string,
): TransactionDraft {
  const to =
    outcome === 'returned'
      ? { account: accounts.buyerRefunds(item.currency), role: 'refunds_due' as const }
      : { account: accounts.reliefFund(item.currency), role: 'donation' as const };
  return {
    idempotencyKey: `suspense:${item.transactionId}:settled`,
    kind: 'suspense_settlement',
    occurredAt: new Date(),
    // The order's balance row: the one its payment went into.
    orderId: item.orderId,
    sourceEventId: null,
    memo: `payment in suspense (${item.idempotencyKey}) ${outcome}: ${reason}`,
    postings: [
      { account: accounts.suspense(item.currency), side: 'debit', fen: item.fen, role: 'suspense' },
      { account: to.account, side: 'credit', fen: item.fen, role: to.role },
    ],
  };
}
