import { Injectable } from '@nestjs/common';
import { canReadAll, requireCaller, type CallerIdentity } from '@yugong/shared/auth';
import type { ledger } from '@yugong/contracts';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest } from '@yugong/shared/grpc';
import { OrderTraceNotFound } from './audit.errors';
import {
  AuditRepository,
  type IncomeGrouping,
  type TraceLineRow,
  type TracePartRow,
} from './audit.repository';
import { reliefIncomeSchema, traceLotSchema, traceOrderSchema } from './audit.schemas';
import { LedgerReader } from './ledger-reader';

/** Towns reaching fewer households than this are left out of the public summary. */
export const PUBLIC_MIN_HOUSEHOLDS = 5;

const cny = (fen: number, currency = 'CNY') => ({ fen, currency });

function requireReader(caller: CallerIdentity | null): void {
  if (!canReadAll(requireCaller(caller))) {
    throw new PermissionDenied('only the relief office and auditors read ledger reports');
  }
}

/**
 * Traces of orders and lots, and the reports, read from the journal itself, where
 * {@link LedgerReader} says (a read replica, or the primary).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly reader: LedgerReader,
    private readonly queries: AuditRepository,
  ) {}

  async traceOrder(caller: CallerIdentity | null, input: unknown): Promise<ledger.TraceOrderResponse> {
    const { orderId } = parseRequest(traceOrderSchema, input);
    const { lines, parts, ...totals } = await this.queries.traceOfOrder(this.reader.em, orderId);
    const full = canReadAll(caller);
    if (lines.length === 0 || (!full && (!caller || lines[0]!.buyerId !== caller.userId))) {
      throw new OrderTraceNotFound(orderId);
    }
    const currency = lines[0]!.currency;
    return {
      orderId,
      lines: lines.map((line) =>
        traceLine(
          line,
          parts.filter((p) => p.lineId === line.lineId),
          full,
        ),
      ),
      donation: cny(totals.donationFen, currency),
      netPaid: cny(totals.netPaidFen, currency),
      full,
    };
  }

  async traceLot(caller: CallerIdentity | null, input: unknown): Promise<ledger.TraceLotResponse> {
    const { lotId } = parseRequest(traceLotSchema, input);
    const em = this.reader.em;
    const full = canReadAll(caller);
    const lines = await this.queries.saleLinesOfLot(em, lotId);
    const parts = (
      await this.queries.partsOfLines(
        em,
        lines.map((l) => l.lineId),
      )
    ).filter((p) => !['household', 'unallocated'].includes(p.role) || p.lotId === lotId);
    const traced = lines.map((line) =>
      traceLine(
        line,
        parts.filter((p) => p.lineId === line.lineId),
        full,
      ),
    );
    const households = new Set(
      parts.filter((p) => p.role === 'household' && p.fen > 0).map((p) => p.ownerId),
    );
    return {
      lotId,
      lines: traced,
      householdAmount: cny(parts.filter((p) => p.role === 'household').reduce((s, p) => s + p.fen, 0)),
      households: households.size,
      full,
    };
  }

  async trialBalance(caller: CallerIdentity | null): Promise<ledger.GetTrialBalanceResponse> {
    requireReader(caller);
    const rows = await this.queries.trialBalance(this.reader.em);
    const perCurrency = new Map<string, number>();
    let totalDebit = 0;
    let totalCredit = 0;
    const accounts = rows.map((r) => {
      const debit = Number(r.debit_fen);
      const credit = Number(r.credit_fen);
      totalDebit += debit;
      totalCredit += credit;
      perCurrency.set(String(r.currency), (perCurrency.get(String(r.currency)) ?? 0) + debit - credit);
      return {
        code: String(r.code),
        type: String(r.type),
        ownerKind: String(r.owner_kind),
        ownerId: (r.owner_id as string | null) ?? '',
        currency: String(r.currency),
        debitFen: debit,
        creditFen: credit,
        balanceFen: Number(r.balance_fen),
      };
    });
    return {
      accounts,
      totalDebitFen: totalDebit,
      totalCreditFen: totalCredit,
      balanced: [...perCurrency.values()].every((v) => v === 0),
    };
  }

  async reliefIncome(caller: CallerIdentity | null, input: unknown): Promise<ledger.GetReliefIncomeResponse> {
    requireReader(caller);
    const q = parseRequest(reliefIncomeSchema, input);
    const rows = await this.queries.reliefIncome(this.reader.em, q.groupBy as IncomeGrouping, q);
    return {
      rows: rows.map((r) => ({
        key: r.key,
        households: r.households,
        householdAmount: cny(r.householdFen),
        collectiveAmount: cny(r.collectiveFen),
      })),
      householdAmount: cny(rows.reduce((s, r) => s + r.householdFen, 0)),
      collectiveAmount: cny(rows.reduce((s, r) => s + r.collectiveFen, 0)),
    };
  }

  async publicSummary(): Promise<ledger.GetPublicSummaryResponse> {
    const em = this.reader.em;
    const rows = await this.queries.reliefIncome(em, 'town', {});
    const shown = rows.filter((r) => r.households >= PUBLIC_MIN_HOUSEHOLDS && r.key !== '');
    return {
      towns: shown.map((r) => ({
        townId: r.key,
        households: r.households,
        householdAmount: cny(r.householdFen),
        collectiveAmount: cny(r.collectiveFen),
      })),
      townsWithheld: rows.length - shown.length,
      reliefFund: cny(await this.queries.reliefFundBalance(em)),
    };
  }
}

/** One line's trace; without `full`, households only as counts and sums per village. */
function traceLine(line: TraceLineRow, parts: TracePartRow[], full: boolean): ledger.TracedLine {
  const money = (fen: number) => cny(fen, line.currency);
  const sum = (role: string) => parts.filter((p) => p.role === role).reduce((s, p) => s + p.fen, 0);
  const households = parts.filter((p) => p.role === 'household' && p.fen !== 0);
  const villages = new Map<string, ledger.TracedVillage & { ids: Set<string> }>();
  const village = (villageId: string, townId: string) => {
    const known = villages.get(villageId) ?? {
      villageId,
      townId,
      households: 0,
      householdAmount: money(0),
      collectiveAmount: money(0),
      ids: new Set<string>(),
    };
    villages.set(villageId, known);
    return known;
  };
  for (const h of households) {
    const v = village(h.villageId ?? '', h.townId ?? '');
    v.ids.add(h.ownerId ?? '');
    v.households = v.ids.size;
    v.householdAmount!.fen += h.fen;
  }
  for (const c of parts.filter((p) => p.role === 'village')) {
    village(c.ownerId ?? '', c.townId ?? '').collectiveAmount!.fen += c.fen;
  }
  const unitPrice = line.quantity > 0 ? line.grossFen / line.quantity : 0;
  const standing = parts.reduce((s, p) => s + p.fen, 0);
  return {
    orderId: line.orderId,
    lineId: line.lineId,
    productId: line.productId,
    producerId: line.producerId,
    quantity: line.quantity,
    refundedQuantity: unitPrice > 0 ? Math.round((line.grossFen - standing) / unitPrice) : 0,
    gross: money(line.grossFen),
    lots: line.lots.map((l) => ({ lotId: l.lotId, lotCode: l.lotCode, quantity: l.quantity })),
    householdBasis: line.householdBasis,
    households: full
      ? households.map((h) => ({
          householdId: h.ownerId ?? '',
          villageId: h.villageId ?? '',
          amount: money(h.fen),
          lotId: h.lotId ?? '',
        }))
      : [],
    villages: [...villages.values()].map(({ ids: _ids, ...v }) => v),
    householdAmount: money(sum('household')),
    unallocatedAmount: money(sum('unallocated')),
    licenceCommitment: money(sum('licence')),
    processorFee: money(sum('fee')),
    producerAmount: money(sum('producer')),
  };
}
