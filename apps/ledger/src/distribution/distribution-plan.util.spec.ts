import fc from 'fast-check';
import { RUN_POLICIES } from './distribution-run.entity';
import {
  DEFAULT_STATUS_WEIGHTS,
  distributionDraft,
  planFundDebits,
  planShares,
  weightOf,
  type Candidate,
} from './distribution-plan.util';

const STATUSES = ['registered', 'exited', 'monitored_edge', 'monitored_unstable'];

const candidate = fc.record({
  householdId: fc.uuid(),
  villageId: fc.uuid(),
  townId: fc.uuid(),
  members: fc.integer({ min: 1, max: 12 }),
  status: fc.constantFrom(...STATUSES),
});

const statusWeights = fc.dictionary(fc.constantFrom(...STATUSES), fc.integer({ min: 0, max: 9 }));

describe('distribution plan', () => {
  it('pays every recipient its policy share to the fen, and posts exactly the total', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { minLength: 1, maxLength: 40, selector: (c) => c.householdId }),
        fc.constantFrom(...RUN_POLICIES),
        fc.integer({ min: 1, max: 50_000_000 }),
        statusWeights,
        fc.array(fc.integer({ min: 0, max: 20_000_000 }), { minLength: 16, maxLength: 16 }),
        (candidates: Candidate[], policy, total, weights, slotFen) => {
          const shares = planShares(policy, candidates, total, weights);
          const w = candidates.map((c) => weightOf(policy, c, weights));
          if (w.every((x) => x === 0)) {
            expect(shares).toBeUndefined();
            return;
          }
          const sumW = w.reduce((a, b) => a + b, 0);
          expect(shares!.reduce((s, x) => s + x.fen, 0)).toBe(total);
          for (const s of shares!) {
            // Within one fen of the exact quota total × weight / Σweights.
            const exact = (total * s.weight) / sumW;
            expect(Math.abs(s.fen - exact)).toBeLessThan(1);
            expect(s.weight).toBe(weightOf(policy, s, weights));
          }
          // A larger weight never gets less.
          for (const a of shares!) {
            for (const b of shares!) {
              if (a.weight > b.weight) {
                expect(a.fen).toBeGreaterThanOrEqual(b.fen);
              }
            }
          }

          const available = slotFen.map((fen, slot) => ({ slot, fen }));
          const debits = planFundDebits(available, total);
          const inFund = slotFen.reduce((a, b) => a + b, 0);
          if (inFund < total) {
            expect(debits).toBeUndefined();
            return;
          }
          for (const d of debits!) {
            expect(d.fen).toBeLessThanOrEqual(slotFen[d.slot]!);
          }
          const draft = distributionDraft(
            { id: 'run', memo: '', currency: 'CNY' },
            shares!,
            debits!,
            new Date(),
          );
          const debit = draft.postings.filter((p) => p.side === 'debit').reduce((s, p) => s + p.fen, 0);
          const credit = draft.postings.filter((p) => p.side === 'credit').reduce((s, p) => s + p.fen, 0);
          expect(debit).toBe(total);
          expect(credit).toBe(total);
          expect(draft.postings.every((p) => p.fen > 0)).toBe(true);
          for (const s of shares!.filter((x) => x.fen > 0)) {
            const posted = draft.postings.filter((p) => p.account.ownerId === s.householdId);
            expect(posted.map((p) => p.fen)).toEqual([s.fen]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('weighs monitored households first by default', () => {
    const base = { villageId: 'v', townId: 't', members: 3 };
    const shares = planShares(
      'by_status',
      [
        { ...base, householdId: 'a', status: 'registered' },
        { ...base, householdId: 'b', status: 'monitored_edge' },
        { ...base, householdId: 'c', status: 'monitored_unstable' },
      ],
      600,
      {},
    );
    expect(shares!.map((s) => s.fen)).toEqual([100, 200, 300]);
    expect(DEFAULT_STATUS_WEIGHTS.monitored_unstable).toBeGreaterThan(DEFAULT_STATUS_WEIGHTS.registered!);
  });
});
