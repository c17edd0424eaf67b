import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ledger } from '@yugong/contracts';
import { canReadAll, requireProducerAccess, type VerifiedCall } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, toTimestamp } from '@yugong/shared/grpc';
import { BadStatementCursor, StatementNotFound } from './statements.errors';
import { StatementsRepository, type StatementCursor, type StatementScope } from './statements.repository';
import { householdStatementSchema, incomeWindowsSchema, producerBalanceSchema } from './statements.schemas';

/** `<ISO instant>|<posting id>`, base64url: where the next page starts. */
export function encodeStatementCursor(cursor: StatementCursor): string {
  return Buffer.from(`${cursor.occurredAt.toISOString()}|${cursor.postingId}`).toString('base64url');
}

export function decodeStatementCursor(text: string): StatementCursor | null {
  if (text === '') {
    return null;
  }
  const [iso, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(iso ?? '');
  const postingId = Number(id);
  if (Number.isNaN(occurredAt.getTime()) || !Number.isSafeInteger(postingId) || postingId <= 0) {
    throw new BadStatementCursor();
  }
  return { occurredAt, postingId };
}

/** `months` calendar months before `at` (UTC calendar; the day is clamped to the month's end). */
export function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Household statements and the monitoring windows, read from the journal. */
@Injectable()
export class StatementsService {
  constructor(
    private readonly em: EntityManager,
    private readonly queries: StatementsRepository,
  ) {}

  /**
   * The household's statement. The relief office and auditors see every posting with the opening
   * and running balances; a producer's staff only credits from their own producers' sales and no
   * balance (which would tell of other sources); anyone else NOT_FOUND.
   */
  async householdStatement(
    call: VerifiedCall,
    input: unknown,
  ): Promise<ledger.GetHouseholdStatementResponse> {
    const q = parseRequest(householdStatementSchema, input);
    const caller = call.user;
    const full = canReadAll(caller);
    const staff = caller?.role === 'producer_staff' && caller.producerIds.length > 0;
    if (!full && !staff) {
      throw new StatementNotFound(q.householdId);
    }
    const scope: StatementScope = {
      householdId: q.householdId,
      from: q.from,
      to: q.to,
      producerIds: full ? undefined : caller!.producerIds,
    };
    const cursor = decodeStatementCursor(q.cursor);
    const em = this.em.fork();
    const opening = full ? await this.queries.balanceBefore(em, q.householdId, q.from) : 0;
    const totals = await this.queries.totals(em, scope);
    const rows = await this.queries.entries(em, scope, opening, cursor, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      householdId: q.householdId,
      currency: 'CNY',
      full,
      openingBalanceFen: opening,
      closingBalanceFen: full ? opening + totals.creditFen - totals.debitFen : 0,
      creditFen: totals.creditFen,
      debitFen: totals.debitFen,
      entries: page.map((r) => ({
        postingId: r.postingId,
        transactionId: r.transactionId,
        kind: r.kind,
        memo: r.memo,
        occurredAt: toTimestamp(r.occurredAt),
        side: r.side,
        amountFen: r.fen,
        balanceFen: full ? r.balanceFen : 0,
        orderId: r.orderId ?? '',
        lineId: r.lineId ?? '',
        productId: r.productId ?? '',
        producerId: r.producerId ?? '',
        lotId: r.lotId ?? '',
        lotCode: r.lotCode ?? '',
        distributionRunId: r.distributionRunId ?? '',
        distributionPolicy: r.distributionPolicy ?? '',
      })),
      nextCursor:
        rows.length > q.limit && last
          ? encodeStatementCursor({ occurredAt: last.occurredAt, postingId: last.postingId })
          : '',
    };
  }

  /**
   * What the ledger holds for a producer: the relief office, auditors, and the producer's own staff
   * (staff of another producer are refused). Accounts the producer has none of yet read as zero.
   */
  async producerBalance(call: VerifiedCall, input: unknown): Promise<ledger.GetProducerBalanceResponse> {
    const { producerId } = parseRequest(producerBalanceSchema, input);
    if (!canReadAll(call.user)) {
      requireProducerAccess(call.user, producerId);
    }
    const rows = await this.queries.producerAccounts(this.em.fork(), producerId);
    const of = (kind: string) => rows.find((r) => r.ownerKind === kind);
    const payable = of('producer');
    return {
      producerId,
      currency: 'CNY',
      payableFen: payable?.balanceFen ?? 0,
      payableCreditFen: payable?.creditFen ?? 0,
      payableDebitFen: payable?.debitFen ?? 0,
      unallocatedShareFen: of('household_unallocated')?.balanceFen ?? 0,
      commitmentOwedFen: of('producer_commitment')?.balanceFen ?? 0,
    };
  }

  /** Every household's relief income in the two windows before `asOf`: the relief office, auditors, beneficiaries. */
  async incomeWindows(call: VerifiedCall, input: unknown): Promise<ledger.GetHouseholdIncomeWindowsResponse> {
    if (call.user ? !canReadAll(call.user) : call.service !== 'beneficiaries') {
      throw new PermissionDenied('only the relief office and auditors read household income');
    }
    const q = parseRequest(incomeWindowsSchema, input);
    const asOf = q.asOf ?? new Date();
    const recentFrom = monthsBefore(asOf, q.windowMonths);
    const priorFrom = monthsBefore(asOf, 2 * q.windowMonths);
    const rows = await this.queries.incomeWindows(this.em.fork(), { priorFrom, recentFrom, asOf });
    return {
      asOf: toTimestamp(asOf),
      recentFrom: toTimestamp(recentFrom),
      priorFrom: toTimestamp(priorFrom),
      windowMonths: q.windowMonths,
      households: rows,
    };
  }
}
