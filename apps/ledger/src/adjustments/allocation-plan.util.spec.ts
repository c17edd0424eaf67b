import fc from 'fast-check';
import { planAllocation, type UnallocatedPart } from './allocation-plan.util';

describe(planAllocation.name, () => {
  it('takes exactly the amount from the lines, never more than a line holds, and balances', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ fen: fc.integer({ min: 1, max: 5_000 }), slot: fc.integer({ min: 0, max: 15 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rawParts, weights, fraction) => {
          const parts: UnallocatedPart[] = rawParts.map((p, i) => ({
            lineId: `line-${i}`,
            productId: null,
            producerId: 'p',
            lotId: null,
            slot: p.slot,
            fen: p.fen,
          }));
          const held = parts.reduce((s, p) => s + p.fen, 0);
          const amount = Math.max(1, Math.floor(held * fraction));
          const sut = planAllocation({
            producerId: 'p',
            parts,
            households: weights.map((weight, i) => ({ householdId: `h${i}`, villageId: null, weight })),
            amountFen: amount,
            idempotencyKey: 'k',
            occurredAt: new Date(),
            memo: '',
          });
          const debits = sut.draft.postings.filter((p) => p.side === 'debit');
          const credits = sut.draft.postings.filter((p) => p.side === 'credit');
          expect(debits.reduce((s, p) => s + p.fen, 0)).toBe(amount);
          expect(credits.reduce((s, p) => s + p.fen, 0)).toBe(amount);
          for (const part of parts) {
            const taken = debits.filter((d) => d.lineId === part.lineId);
            expect(taken.reduce((s, p) => s + p.fen, 0)).toBeLessThanOrEqual(part.fen);
            expect(taken.every((d) => d.slot === part.slot)).toBe(true);
          }
          sut.perHousehold.forEach((h) => {
            const got = credits
              .filter((c) => c.account.ownerId === h.householdId)
              .reduce((s, p) => s + p.fen, 0);
            expect(got).toBe(h.fen);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
