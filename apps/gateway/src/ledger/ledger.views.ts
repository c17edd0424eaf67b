import type { ledger } from '@yugong/contracts';
import { stringify } from 'csv-stringify/sync';
import { isoOf } from '../catalog/catalog.views';
import { moneyOf as money } from '../common/money.view';

function lineJson(l: ledger.TracedLine) {
  return {
    orderId: l.orderId,
    lineId: l.lineId,
    productId: l.productId,
    producerId: l.producerId,
    quantity: Number(l.quantity),
    refundedQuantity: Number(l.refundedQuantity),
    gross: money(l.gross),
    lots: l.lots.map((lot) => ({ lotId: lot.lotId, lotCode: lot.lotCode, quantity: Number(lot.quantity) })),
    householdBasis: l.householdBasis,
    // Ids only in an officer's or auditor's view; a buyer and the public see villages and counts.
    households: l.households.map((h) => ({
      householdId: h.householdId || null,
      villageId: h.villageId,
      lotId: h.lotId || null,
      amount: money(h.amount),
    })),
    villages: l.villages.map((v) => ({
      villageId: v.villageId,
      townId: v.townId,
      households: v.households,
      householdAmount: money(v.householdAmount),
      collectiveAmount: money(v.collectiveAmount),
    })),
    householdAmount: money(l.householdAmount),
    unallocatedAmount: money(l.unallocatedAmount),
    licenceCommitment: money(l.licenceCommitment),
    processorFee: money(l.processorFee),
    producerAmount: money(l.producerAmount),
  };
}

/** Where an order's money went, as the REST API shows it. */
export function orderTraceJson(t: ledger.TraceOrderResponse) {
  return {
    orderId: t.orderId,
    full: t.full,
    lines: t.lines.map(lineJson),
    donation: money(t.donation),
    netPaid: money(t.netPaid),
  };
}

/** Every sale that drew on a lot, as the REST API shows it. */
export function lotTraceJson(t: ledger.TraceLotResponse) {
  return {
    lotId: t.lotId,
    full: t.full,
    lines: t.lines.map(lineJson),
    householdAmount: money(t.householdAmount),
    households: t.households,
  };
}

export function trialBalanceJson(t: ledger.GetTrialBalanceResponse) {
  return {
    accounts: t.accounts.map((a) => ({
      code: a.code,
      type: a.type,
      ownerKind: a.ownerKind,
      ownerId: a.ownerId || null,
      currency: a.currency,
      debitFen: Number(a.debitFen),
      creditFen: Number(a.creditFen),
      balanceFen: Number(a.balanceFen),
    })),
    totalDebitFen: Number(t.totalDebitFen),
    totalCreditFen: Number(t.totalCreditFen),
    balanced: t.balanced,
  };
}

/** The trial balance as CSV: one row per account, then a `TOTAL` row whose balance is debits − credits. */
export function trialBalanceCsv(t: ledger.GetTrialBalanceResponse): string {
  const json = trialBalanceJson(t);
  return stringify(
    [
      ...json.accounts.map((a) => [
        a.code,
        a.type,
        a.ownerKind,
        a.ownerId ?? '',
        a.currency,
        a.debitFen,
        a.creditFen,
        a.balanceFen,
      ]),
      [
        'TOTAL',
        json.balanced ? 'balanced' : 'NOT BALANCED',
        '',
        '',
        'CNY',
        json.totalDebitFen,
        json.totalCreditFen,
        json.totalDebitFen - json.totalCreditFen,
      ],
    ],
    {
      header: true,
      columns: [
        'code',
        'type',
        'owner_kind',
        'owner_id',
        'currency',
        'debit_fen',
        'credit_fen',
        'balance_fen',
      ],
    },
  );
}

export function reliefIncomeJson(groupBy: string, r: ledger.GetReliefIncomeResponse) {
  return {
    groupBy,
    rows: r.rows.map((row) => ({
      key: row.key,
      households: row.households,
      householdAmount: money(row.householdAmount),
      collectiveAmount: money(row.collectiveAmount),
    })),
    householdAmount: money(r.householdAmount),
    collectiveAmount: money(r.collectiveAmount),
  };
}

/** Relief income as CSV: one row per group, then a `TOTAL` row. */
export function reliefIncomeCsv(groupBy: string, r: ledger.GetReliefIncomeResponse): string {
  const json = reliefIncomeJson(groupBy, r);
  return stringify(
    [
      ...json.rows.map((row) => [row.key, row.households, row.householdAmount.fen, row.collectiveAmount.fen]),
      ['TOTAL', '', json.householdAmount.fen, json.collectiveAmount.fen],
    ],
    { header: true, columns: [groupBy, 'households', 'household_fen', 'collective_fen'] },
  );
}

export function publicSummaryJson(s: ledger.GetPublicSummaryResponse) {
  return {
    towns: s.towns.map((t) => ({
      townId: t.townId,
      households: t.households,
      householdAmount: money(t.householdAmount),
      collectiveAmount: money(t.collectiveAmount),
    })),
    townsWithheld: s.townsWithheld,
    reliefFund: money(s.reliefFund),
  };
}

export function chainHeadJson(h: ledger.GetChainHeadResponse) {
  return {
    sequence: Number(h.sequence),
    transactionId: h.transactionId || null,
    hash: h.hash || null,
    sealedAt: h.sealedAt ? isoOf(h.sealedAt) : null,
    unsealed: Number(h.unsealed),
  };
}
