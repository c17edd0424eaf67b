import fc from 'fast-check';
import { accounts } from '../split/accounts.util';
import type { TransactionDraft } from '../split/sale-split.util';
import {
  fundsOf,
  lineReference,
  reserveDraft,
  sentDraft,
  settleDraft,
  type PayeeFunds,
} from './payout-plan.util';

const BATCH = '00000000-0000-4000-8000-0000000000b1';

const sums = (d: TransactionDraft) => ({
  debit: d.postings.filter((p) => p.side === 'debit').reduce((s, p) => s + p.fen, 0),
  credit: d.postings.filter((p) => p.side === 'credit').reduce((s, p) => s + p.fen, 0),
});

const householdsArb = fc
  .array(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 16 }), {
    minLength: 1,
    maxLength: 30,
  })
  .map((list) =>
    list.map((slots, i): PayeeFunds => ({
      payeeKind: 'household',
      payeeId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      account: accounts.household(`h${i}`, null),
      slots: slots.map((fen, slot) => ({ slot, fen })),
    })),
  );

describe(reserveDraft.name, () => {
  it('takes every fen each household holds, row by row, and credits the batch exactly that', () => {
    fc.assert(
      fc.property(householdsArb, (households) => {
        const total = households.reduce((s, h) => s + fundsOf(h), 0);
        const sut = reserveDraft(BATCH, households, new Date());
        const { debit, credit } = sums(sut);
        expect(debit).toBe(credit);
        expect(debit).toBe(total);
        expect(sut.postings.every((p) => p.fen > 0)).toBe(true);
        for (const h of households) {
          for (const s of h.slots.filter((x) => x.fen > 0)) {
            expect(sut.postings).toContainEqual(
              expect.objectContaining({ account: h.account, side: 'debit', fen: s.fen, slot: s.slot }),
            );
          }
        }
        expect(sut.memo).toBe(`payout batch ${BATCH}`);
      }),
    );
  });
});

describe(settleDraft.name, () => {
  it('debits in transit exactly what was sent: paid plus every failed line back to its household', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (amounts, failedFlags) => {
          const total = amounts.reduce((s, x) => s + x, 0);
          const failed = amounts
            .map((fen, i) => ({ account: accounts.household(`h${i}`, null), fen, failed: failedFlags[i] }))
            .filter((x) => x.failed);
          const paid = total - failed.reduce((s, f) => s + f.fen, 0);
          const sent = sentDraft(BATCH, total, new Date());
          expect(sums(sent)).toEqual({ debit: total, credit: total });
          const sut = settleDraft(BATCH, paid, failed, new Date());
          expect(sums(sut)).toEqual({ debit: total, credit: total });
          expect(sut.postings.every((p) => p.fen > 0)).toBe(true);
        },
      ),
    );
  });
});

describe(lineReference.name, () => {
  it('is unique across batches and lines', () => {
    const refs = new Set<string>();
    for (let batch = 1; batch <= 120; batch++) {
      for (let seq = 1; seq <= 120; seq++) {
        refs.add(lineReference(batch, seq));
      }
    }
    expect(refs.size).toBe(120 * 120);
  });
});
