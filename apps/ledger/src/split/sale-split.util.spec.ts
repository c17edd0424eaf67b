import fc from 'fast-check';
import { planRefund, type RemainingPart } from './refund-split.util';
import {
  licenceCommitmentOf,
  planSale,
  splitLine,
  type PostingDraft,
  type SaleInput,
  type TransactionDraft,
} from './sale-split.util';

const id = (prefix: string, n: number) => `${prefix}-${n}`;

/**
 * A random order: 1–5 lines, random shares, 0–12 households with random weights, lots with or
 * without suppliers, and lines with or without a LOGO licence (a rate, a minimum per unit, or both).
 */
const orderArb = fc
  .record({
    method: fc.constantFrom('stripe', 'manual'),
    donationFen: fc.integer({ min: 0, max: 5_000 }),
    feeBps: fc.integer({ min: 0, max: 600 }),
    /** Stripe's actual fee when its balance transaction was known, else null (the rate applies). */
    processorFeeFen: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
    households: fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 0, maxLength: 12 }),
    villageBps: fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 0, maxLength: 2 }),
    lines: fc.array(
      fc.record({
        unitPriceFen: fc.integer({ min: 1, max: 200_000 }),
        quantity: fc.integer({ min: 1, max: 20 }),
        householdShareBps: fc.integer({ min: 0, max: 5_000 }),
        licence: fc.option(
          fc
            .record({
              bps: fc.integer({ min: 0, max: 3_000 }),
              minPerUnitFen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
            })
            .filter((l) => l.bps > 0 || l.minPerUnitFen > 0),
          { nil: null },
        ),
        lots: fc.array(
          fc.record({
            share: fc.integer({ min: 1, max: 5 }),
            suppliers: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 0, maxLength: 4 }),
          }),
          { minLength: 0, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((o): SaleInput => ({
    orderId: 'order-1',
    eventId: 'event-1',
    paidAt: new Date('2020-05-16T02:00:00Z'),
    method: o.method,
    currency: 'CNY',
    donationFen: o.donationFen,
    lines: o.lines.map((l, i) => ({
      lineId: id('line', i),
      productId: id('product', i),
      producerId: id('producer', i % 2),
      quantity: l.quantity,
      grossFen: l.unitPriceFen * l.quantity,
      householdShareBps: l.householdShareBps,
      lots: l.lots.map((lot, j) => ({
        lotId: id(`lot-${i}`, j),
        lotCode: `L${j}`,
        quantity: lot.share,
        suppliers: lot.suppliers.map((q, k) => ({ householdId: id('hh', k), villageId: 'v-1', quantity: q })),
      })),
      agreementShares: o.households.map((w, k) => ({
        householdId: id('hh', k + 100),
        villageId: 'v-2',
        weight: w,
      })),
      villageCollectives: o.villageBps.map((bps, k) => ({ villageId: id('village', k), bps })),
      licenceCommitmentBps: l.licence?.bps ?? 0,
      licenceMinPerUnitFen: l.licence?.minPerUnitFen ?? 0,
      feeBps: o.method === 'stripe' ? o.feeBps : 0,
    })),
    processorFeeFen: o.method === 'stripe' ? o.processorFeeFen : null,
  }));

function signed(p: PostingDraft): number {
  return p.side === 'debit' ? p.fen : -p.fen;
}

function balances(drafts: TransactionDraft[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of drafts.flatMap((d) => d.postings)) {
    out.set(p.account.code, (out.get(p.account.code) ?? 0) + signed(p));
  }
  return out;
}

/** The account a receivable stands in for (as the journal's `remainingParts` joins it). */
const standsFor = (code: string) =>
  code
    .replace(/^(household:.+):recoverable$/, '$1:benefit')
    .replace(/^(village:.+):recoverable$/, '$1:collective');

const partKey = (p: Omit<PostingDraft, 'side' | 'fen'>) =>
  `${p.lineId}|${standsFor(p.account.code)}|${p.role}|${p.lotId ?? ''}`;

/** What remains of each part of a line after the drafts so far (as the service reads it from the journal). */
function remainingOf(lineId: string, drafts: TransactionDraft[]): RemainingPart[] {
  const parts = new Map<string, RemainingPart>();
  for (const p of drafts.flatMap((d) => d.postings)) {
    if (p.lineId !== lineId) {
      continue;
    }
    const key = partKey(p);
    const { side: _side, ...part } = p;
    const known = parts.get(key) ?? { ...part, fen: 0 };
    known.fen += p.side === 'credit' ? p.fen : -p.fen;
    parts.set(key, known);
  }
  return [...parts.values()];
}

describe('sale and refund split', () => {
  it('balances every transaction, splits what was paid less what was refunded, and a full refund nets to zero', () => {
    fc.assert(
      fc.property(
        orderArb,
        fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 20 })), { maxLength: 12 }),
        fc.boolean(),
        (sale, refunds, finish) => {
          const { draft } = planSale(sale);
          const drafts = [draft];
          // An explicit fee is posted whole, shared over the lines by gross (unless a line's
          // household and village shares leave less than its part: never in practice, 0–5000 fen).
          if (sale.processorFeeFen !== null && sale.processorFeeFen !== undefined) {
            const fees = draft.postings.filter((p) => p.role === 'fee').reduce((sum, p) => sum + p.fen, 0);
            expect(fees).toBeLessThanOrEqual(sale.processorFeeFen);
            const roomy = sale.lines.every(
              (l) => l.householdShareBps + 1_600 <= 10_000 && l.grossFen >= 20_000,
            );
            if (roomy) {
              expect(fees).toBe(sale.processorFeeFen);
            }
          }
          const paid = sale.lines.reduce((sum, l) => sum + l.grossFen, 0) + sale.donationFen;
          const refundedQty = sale.lines.map(() => 0);
          let refundedFen = 0;
          const refund = (lineIndex: number, qty: number, n: number) => {
            const line = sale.lines[lineIndex]!;
            const take = Math.min(qty, line.quantity - refundedQty[lineIndex]!);
            if (take <= 0) {
              return;
            }
            refundedQty[lineIndex]! += take;
            const amountFen = (line.grossFen / line.quantity) * take;
            refundedFen += amountFen;
            drafts.push(
              planRefund({
                orderId: sale.orderId,
                refundId: `r${n}`,
                eventId: `e${n}`,
                refundedAt: new Date(),
                method: sale.method,
                currency: 'CNY',
                saleTransactionId: 'sale',
                lines: [
                  {
                    lineId: line.lineId,
                    amountFen,
                    remaining: remainingOf(line.lineId, drafts),
                  },
                ],
              }),
            );
          };
          refunds.forEach(([lineIndex, qty], n) => refund(lineIndex % sale.lines.length, qty, n));
          if (finish) {
            sale.lines.forEach((line, i) => refund(i, line.quantity, 100 + i));
          }
          // The licence commitment posted for a line is its terms for the units not refunded, to the
          // fen, whatever the refunds; capped only by what remained of the line for the producer.
          sale.lines.forEach((line, i) => {
            const ofLine = (d: TransactionDraft) => d.postings.filter((p) => p.lineId === line.lineId);
            const net = drafts
              .flatMap(ofLine)
              .filter((p) => p.role === 'licence')
              .reduce((sum, p) => sum - signed(p), 0);
            const terms = licenceCommitmentOf(line);
            const rest = ofLine(draft)
              .filter((p) => p.role === 'licence' || p.role === 'producer')
              .reduce((sum, p) => sum + p.fen, 0);
            if (terms <= rest) {
              expect(net).toBe((terms / line.quantity) * (line.quantity - refundedQty[i]!));
            } else {
              expect(net).toBeGreaterThanOrEqual(0);
              expect(net).toBeLessThanOrEqual(rest);
            }
          });
          for (const d of drafts) {
            expect(d.postings.every((p) => Number.isInteger(p.fen) && p.fen > 0)).toBe(true);
            expect(d.postings.reduce((sum, p) => sum + signed(p), 0)).toBe(0);
          }
          const b = balances(drafts);
          const clearing = [...b.entries()].filter(([code]) => code.startsWith('clearing:'));
          expect(clearing.reduce((sum, [, v]) => sum + v, 0)).toBe(paid - refundedFen);
          // No account below zero on its normal side: liabilities never debited past their credits.
          for (const [code, v] of b) {
            expect(code.startsWith('clearing:') ? v : -v).toBeGreaterThanOrEqual(0);
          }
          if (finish) {
            for (const [code, v] of b) {
              const donation =
                code === 'fund:relief'
                  ? 0 - sale.donationFen
                  : code.startsWith('clearing:')
                    ? sale.donationFen
                    : 0;
              expect(v).toBe(donation);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("posts Stripe's actual fee of 173 fen exactly, over two lines by gross (largest remainder)", () => {
    const line = (lineId: string, grossFen: number) => ({
      lineId,
      productId: `p-${lineId}`,
      producerId: 'prod',
      quantity: 1,
      grossFen,
      householdShareBps: 2_000,
      lots: [],
      agreementShares: [],
      villageCollectives: [],
      licenceCommitmentBps: 0,
      licenceMinPerUnitFen: 0,
      feeBps: 60,
    });
    const sale: SaleInput = {
      orderId: 'o',
      eventId: 'e',
      paidAt: new Date('2026-12-02T00:00:00Z'),
      method: 'stripe',
      currency: 'CNY',
      donationFen: 100,
      lines: [line('a', 3_000), line('b', 7_000)],
      processorFeeFen: 173,
    };
    const fees = (s: SaleInput) =>
      planSale(s)
        .draft.postings.filter((p) => p.role === 'fee')
        .map((p) => [p.lineId, p.fen]);
    // 173 × 3/10 = 51.9, 173 × 7/10 = 121.1: floors 51 + 121 = 172, the larger remainder (a) gets the fen.
    expect(fees(sale)).toEqual([
      ['a', 52],
      ['b', 121],
    ]);
    const { draft } = planSale(sale);
    expect(draft.postings.reduce((sum, p) => sum + signed(p), 0)).toBe(0);
    // Without the balance transaction the configured rate applies: 60 bps of each line.
    expect(fees({ ...sale, processorFeeFen: null })).toEqual([
      ['a', 18],
      ['b', 42],
    ]);
  });

  it("takes a share paid out before a refund from its owner's receivable, to the fen, and still nets to zero", () => {
    const paidOut = (code: string) => code.endsWith(':benefit') || code.endsWith(':collective');
    fc.assert(
      fc.property(
        orderArb,
        fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 20 })), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 }),
        (sale, refunds, keepBps) => {
          const { draft } = planSale(sale);
          const drafts = [draft];
          const out = new Map<string, number>();
          // Before each refund, a payout moves out all but `keepBps` of every household's and
          // village collective's balance; the refund is told what is left (`held`).
          const refund = (lineIndex: number, qty: number, n: number) => {
            const line = sale.lines[lineIndex]!;
            const held = new Map<string, number>();
            const payout: PostingDraft[] = [];
            for (const [code, v] of balances(drafts)) {
              if (!paidOut(code)) {
                continue;
              }
              const keep = Math.floor((Math.max(0, -v) * keepBps[n % keepBps.length]!) / 10_000);
              held.set(code, keep);
              if (-v - keep > 0) {
                const account = drafts[0]!.postings.find((p) => p.account.code === code)!.account;
                payout.push({ account, side: 'debit', fen: -v - keep, role: 'household' });
                out.set(code, (out.get(code) ?? 0) - v - keep);
              }
            }
            const total = payout.reduce((sum, p) => sum + p.fen, 0);
            if (total > 0) {
              const bank = {
                ...draft.postings[0]!.account,
                code: 'test:payouts',
                ownerKind: 'payout_paid' as const,
              };
              drafts.push({
                ...draft,
                idempotencyKey: `payout-${n}`,
                postings: [...payout, { account: bank, side: 'credit', fen: total, role: 'household' }],
              });
            }
            drafts.push(
              planRefund({
                orderId: sale.orderId,
                refundId: `r${n}`,
                eventId: `e${n}`,
                refundedAt: new Date(),
                method: sale.method,
                currency: 'CNY',
                saleTransactionId: 'sale',
                held,
                lines: [
                  {
                    lineId: line.lineId,
                    amountFen: (line.grossFen / line.quantity) * Math.min(qty, line.quantity),
                    remaining: remainingOf(line.lineId, drafts),
                  },
                ],
              }),
            );
          };
          refunds.forEach(([lineIndex, qty], n) => refund(lineIndex % sale.lines.length, qty, n));
          sale.lines.forEach((line, i) => refund(i, line.quantity, 100 + i));
          for (const d of drafts) {
            expect(d.postings.every((p) => Number.isInteger(p.fen) && p.fen > 0)).toBe(true);
            expect(d.postings.reduce((sum, p) => sum + signed(p), 0)).toBe(0);
          }
          // Fully refunded, every household and village collective account holds nothing again, and
          // what its owner owes back is exactly what was paid out of it: no fen lost or made.
          const b = balances(drafts);
          for (const [code, v] of b) {
            if (code.endsWith(':recoverable')) {
              expect(v).toBe(out.get(standsFor(code)) ?? 0);
            } else if (paidOut(code)) {
              expect(v).toBe(0);
              expect(b.get(code.replace(/:(benefit|collective)$/, ':recoverable')) ?? 0).toBe(
                out.get(code) ?? 0,
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the household share to lot suppliers by quantity, else agreements, else the unallocated account', () => {
    const base = {
      lineId: 'l',
      productId: 'p',
      producerId: 'prod',
      quantity: 3,
      grossFen: 10_000,
      householdShareBps: 3_000,
      villageCollectives: [],
      licenceCommitmentBps: 0,
      licenceMinPerUnitFen: 0,
      feeBps: 0,
    };
    const bySuppliers = splitLine(
      {
        ...base,
        lots: [
          {
            lotId: 'a',
            lotCode: 'A',
            quantity: 3,
            suppliers: [
              { householdId: 'h1', villageId: 'v', quantity: 1 },
              { householdId: 'h2', villageId: 'v', quantity: 2 },
            ],
          },
        ],
        agreementShares: [{ householdId: 'h9', villageId: 'v', weight: 1 }],
      },
      'manual',
      'CNY',
    );
    expect(bySuppliers.basis).toBe('lots');
    expect(bySuppliers.credits.map((c) => [c.account.code, c.fen])).toEqual([
      ['household:h1:benefit', 1_000],
      ['household:h2:benefit', 2_000],
      ['producer:prod:payable', 7_000],
    ]);
    const none = splitLine({ ...base, lots: [], agreementShares: [] }, 'stripe', 'CNY');
    expect(none.basis).toBe('unallocated');
    expect(none.credits.map((c) => [c.account.code, c.fen])).toEqual([
      ['household:unallocated:prod', 3_000],
      ['producer:prod:payable', 7_000],
    ]);
  });

  it('commits the larger of the rate and the minimum per unit, out of what remains to the producer', () => {
    const line = {
      lineId: 'l',
      productId: 'p',
      producerId: 'prod',
      quantity: 3,
      grossFen: 3 * 6_800,
      householdShareBps: 1_000,
      villageCollectives: [],
      lots: [],
      agreementShares: [],
      licenceCommitmentBps: 200,
      licenceMinPerUnitFen: 50,
      feeBps: 0,
    };
    // 2 % of ¥68.00 is 136 fen a unit, above the 50 fen minimum.
    expect(licenceCommitmentOf(line)).toBe(408);
    // 2 % of ¥10.00 is 20 fen, below the minimum: 50 a unit.
    expect(licenceCommitmentOf({ ...line, grossFen: 3_000 })).toBe(150);
    // 2.5 % of 18 fen is 0.45: rounded half up per unit, 0; the rate alone.
    expect(
      licenceCommitmentOf({ ...line, grossFen: 54, licenceCommitmentBps: 250, licenceMinPerUnitFen: 0 }),
    ).toBe(0);
    expect(
      licenceCommitmentOf({ ...line, grossFen: 60, licenceCommitmentBps: 2_500, licenceMinPerUnitFen: 0 }),
    ).toBe(15);
    const split = splitLine(line, 'manual', 'CNY');
    expect(split.credits.map((c) => [c.account.code, c.role, c.fen])).toEqual([
      ['household:unallocated:prod', 'unallocated', 2_040],
      ['fund:relief', 'licence', 408],
      ['producer:prod:payable', 'producer', 17_952],
    ]);
    // A minimum above what remains to the producer takes what remains, no more.
    const capped = splitLine({ ...line, grossFen: 300, licenceMinPerUnitFen: 500 }, 'manual', 'CNY');
    expect(capped.credits.map((c) => [c.role, c.fen])).toEqual([
      ['unallocated', 30],
      ['licence', 270],
    ]);
  });
});
