import type { beneficiaries, ledger } from '@yugong/contracts';
import { stringify } from 'csv-stringify/sync';
import { isoOf } from '../catalog/catalog.views';
import { moneyJson as money } from '../common/money.view';

/** The household a statement is of, as its reader may see it: the head's name always masked. */
export function statementHouseholdJson(h: beneficiaries.Household) {
  return {
    id: h.id,
    archiveNumber: h.archiveNumber,
    headName: h.headName,
    masked: h.masked,
    villageId: h.villageId,
    villageNameZh: h.villageNameZh,
    townId: h.townId,
    townNameZh: h.townNameZh,
  };
}

function entryJson(e: ledger.StatementEntry, full: boolean, currency: string) {
  const sale = e.lineId !== '';
  return {
    postingId: Number(e.postingId),
    transactionId: e.transactionId,
    occurredAt: isoOf(e.occurredAt),
    kind: e.kind,
    memo: e.memo,
    side: e.side,
    amount: money(Number(e.amountFen), currency),
    // Null in a producer staff's view: the balance would tell of other sources.
    balance: full ? money(Number(e.balanceFen), currency) : null,
    source: sale
      ? {
          orderId: e.orderId,
          lineId: e.lineId,
          productId: e.productId,
          producerId: e.producerId,
          lotId: e.lotId || null,
          lotCode: e.lotCode || null,
        }
      : null,
    // Which run paid a distribution credit; null for every other entry.
    distributionRun: e.distributionRunId
      ? { id: e.distributionRunId, policy: e.distributionPolicy || null }
      : null,
  };
}

/** A household statement as the REST API shows it. */
export function statementJson(
  household: beneficiaries.Household,
  s: ledger.GetHouseholdStatementResponse,
  range: { from?: Date; to?: Date },
) {
  const currency = s.currency || 'CNY';
  return {
    household: statementHouseholdJson(household),
    from: range.from?.toISOString() ?? null,
    to: range.to?.toISOString() ?? null,
    currency,
    full: s.full,
    openingBalance: s.full ? money(Number(s.openingBalanceFen), currency) : null,
    closingBalance: s.full ? money(Number(s.closingBalanceFen), currency) : null,
    credits: money(Number(s.creditFen), currency),
    debits: money(Number(s.debitFen), currency),
    entries: s.entries.map((e) => entryJson(e, s.full, currency)),
    nextCursor: s.nextCursor || null,
  };
}

const blank = (n: number): string[] => Array<string>(n).fill('');

/**
 * A statement as CSV: an `OPENING` row (full view only), one row per entry, then a `CLOSING` row
 * with the range's credits, debits and the closing balance.
 */
export function statementCsv(
  first: ledger.GetHouseholdStatementResponse,
  entries: ledger.StatementEntry[],
): string {
  const full = first.full;
  const rows: (string | number)[][] = [];
  if (full) {
    rows.push(['OPENING', ...blank(5), Number(first.openingBalanceFen), ...blank(9)]);
  }
  for (const e of entries) {
    rows.push([
      isoOf(e.occurredAt) ?? '',
      e.kind,
      e.memo,
      e.transactionId,
      e.side,
      Number(e.amountFen),
      full ? Number(e.balanceFen) : '',
      e.orderId,
      e.lineId,
      e.productId,
      e.producerId,
      e.lotId,
      e.lotCode,
      Number(e.postingId),
      e.distributionRunId,
      e.distributionPolicy,
    ]);
  }
  rows.push([
    'CLOSING',
    `credits ${Number(first.creditFen)}`,
    `debits ${Number(first.debitFen)}`,
    ...blank(3),
    full ? Number(first.closingBalanceFen) : '',
    ...blank(9),
  ]);
  return stringify(rows, {
    header: true,
    columns: [
      'occurred_at',
      'kind',
      'memo',
      'transaction_id',
      'side',
      'amount_fen',
      'balance_fen',
      'order_id',
      'line_id',
      'product_id',
      'producer_id',
      'lot_id',
      'lot_code',
      'posting_id',
      'distribution_run_id',
      'distribution_policy',
    ],
  });
}

/** Relief income per household in the two windows, fen. */
export function incomeWindowsJson(r: ledger.GetHouseholdIncomeWindowsResponse) {
  return {
    asOf: isoOf(r.asOf),
    recentFrom: isoOf(r.recentFrom),
    priorFrom: isoOf(r.priorFrom),
    windowMonths: r.windowMonths,
    households: r.households.map((h) => ({
      householdId: h.householdId,
      recentFen: Number(h.recentFen),
      priorFen: Number(h.priorFen),
    })),
  };
}

/** A producer's balance as the REST API shows it. */
export function producerBalanceJson(b: ledger.GetProducerBalanceResponse) {
  const currency = b.currency || 'CNY';
  return {
    producerId: b.producerId,
    payable: money(Number(b.payableFen), currency),
    payableCredits: money(Number(b.payableCreditFen), currency),
    payableDebits: money(Number(b.payableDebitFen), currency),
    unallocatedShare: money(Number(b.unallocatedShareFen), currency),
    commitmentOwed: money(Number(b.commitmentOwedFen), currency),
  };
}
