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

  it('gives the spare fen to the largest fractional parts, ties to the lower household id, whatever the input order', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(candidate, { minLength: 1, maxLength: 40, selector: (c) => c.householdId })
          .chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length }))),
        fc.constantFrom(...RUN_POLICIES),
        fc.integer({ min: 1, max: 50_000_000 }),
        statusWeights,
        ([candidates, shuffled]: [Candidate[], Candidate[]], policy, total, weights) => {
          const shares = planShares(policy, candidates, total, weights);
          if (!shares) {
            return;
          }
          // The exact quota total × weight / Σweights as floor and remainder (bigint: no rounding).
          const sumW = BigInt(shares.reduce((s, x) => s + x.weight, 0));
          const exact = shares.map((s) => ({
            id: s.householdId,
            floor: (BigInt(total) * BigInt(s.weight)) / sumW,
            rest: (BigInt(total) * BigInt(s.weight)) % sumW,
          }));
          const spare = BigInt(total) - exact.reduce((a, e) => a + e.floor, 0n);
          expect(spare).toBeGreaterThanOrEqual(0n);
          expect(spare).toBeLessThan(BigInt(shares.length));
          // The documented rule: the largest remainders first; of equal ones, the lower household id.
          const winners = new Set(
            [...exact]
              .sort((a, b) => (a.rest === b.rest ? (a.id < b.id ? -1 : 1) : a.rest > b.rest ? -1 : 1))
              .slice(0, Number(spare))
              .map((e) => e.id),
          );
          expect(shares.map((s) => [s.householdId, s.fen])).toEqual(
            exact.map((e) => [e.id, Number(e.floor) + (winners.has(e.id) ? 1 : 0)]),
          );
          // Nobody's fen depends on the order the recipients came in.
          const again = planShares(policy, shuffled, total, weights)!;
          const fenOf = (xs: { householdId: string; fen: number }[]) =>
            new Map(xs.map((x) => [x.householdId, x.fen]));
          expect(fenOf(again)).toEqual(fenOf(shares));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('breaks a tie of remainders by household id, not by where the household came in', () => {
    const base = { villageId: 'v', townId: 't', members: 1, status: 'registered' };
    const ids = ['c', 'a', 'b'];
    // 100 / 3: 33 each and one spare fen, all three remainders alike: 'a' gets it.
    const shares = planShares(
      'equal',
      ids.map((householdId) => ({ ...base, householdId })),
      100,
      {},
    );
    expect(shares!.map((s) => [s.householdId, s.fen])).toEqual([
      ['a', 34],
      ['b', 33],
      ['c', 33],
    ]);
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
