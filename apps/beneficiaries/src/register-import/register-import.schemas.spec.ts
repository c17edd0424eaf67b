import fc from 'fast-check';
import { AGREEMENT_KINDS } from '../agreements/benefit-agreement.entity';
import { HOUSEHOLD_STATUSES } from '../households/household.entity';
import { householdFieldsSchema } from '../households/household.schemas';
import { nationalIdCheckCharacter } from '../pii/national-id.util';
import {
  importAgreementRowSchema,
  importAgreementSchema,
  importHouseholdRowSchema,
} from './register-import.schemas';

const validNationalId = fc
  .tuple(
    fc.integer({ min: 110_000, max: 999_999 }),
    fc.date({
      min: new Date('1950-01-01T00:00:00Z'),
      max: new Date('2010-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([area, birth, order]) => {
    const first17 = `${area}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(order).padStart(3, '0')}`;
    return first17 + nationalIdCheckCharacter(first17);
  });

/** Usually a good value, otherwise one of the ways a field of a register file goes wrong. */
const often = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ arbitrary: good, weight: 5 }, ...bad.map((arbitrary) => ({ arbitrary, weight: 1 })));

const householdRow = fc.record(
  {
    archiveNumber: often(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/),
      fc.string(),
      fc.constant(' '),
    ),
    headName: often(
      fc.string({ minLength: 1, maxLength: 50 }),
      fc.constant(''),
      fc.string({ minLength: 51 }),
    ),
    nationalId: often(
      validNationalId,
      fc.string(),
      validNationalId.map((id) => `${id.slice(0, 17)}0`),
    ),
    members: often(fc.integer({ min: 1, max: 30 }), fc.integer(), fc.double()),
    status: often(fc.constantFrom(...HOUSEHOLD_STATUSES), fc.string(), fc.constant(undefined)),
    exitYear: often(
      fc.oneof(fc.constant(0), fc.integer({ min: 1980, max: 2100 })),
      fc.integer(),
      fc.string(),
    ),
    baselineIncome: often(
      fc.record({ fen: fc.nat(), currency: fc.constantFrom('', 'CNY') }),
      fc.constant(null),
      fc.record({ fen: fc.integer(), currency: fc.string() }),
    ),
    payoutAccount: often(fc.stringMatching(/^\d{8,32}$/), fc.constant(''), fc.string()),
    villageId: fc.uuid(),
  },
  { requiredKeys: [] },
);

const agreementRow = fc.record(
  {
    producerId: often(fc.uuid(), fc.string()),
    kind: often(fc.constantFrom(...AGREEMENT_KINDS), fc.string(), fc.constant(undefined)),
    weight: often(fc.integer({ min: 1, max: 1_000 }), fc.integer(), fc.constant(undefined)),
    effectiveFrom: often(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.string(),
    ),
    effectiveTo: often(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.constant(''),
      fc.string(),
    ),
  },
  { requiredKeys: [] },
);

/** What a parse answers, in a form two parses can be compared by. */
const outcome = (result: { success: boolean; data?: unknown; error?: { issues: unknown[] } }) =>
  result.success
    ? { data: result.data }
    : { issues: result.error!.issues.map((i) => JSON.parse(JSON.stringify(i)) as unknown) };

describe('import row schemas (compiled)', () => {
  it('parse every household row to what the schema parses it to, issues word for word', () => {
    let good = 0;
    fc.assert(
      fc.property(householdRow, (row) => {
        const compiled = importHouseholdRowSchema.safeParse(row);
        good += compiled.success ? 1 : 0;
        expect(outcome(compiled)).toEqual(outcome(householdFieldsSchema.safeParse(row)));
      }),
      { numRuns: 2_000 },
    );
    // Both ways are exercised: rows that pass (the generated path) and rows that fail.
    expect(good).toBeGreaterThan(100);
    expect(good).toBeLessThan(1_900);
  });

  it('parse every agreement to what the schema parses it to, issues word for word', () => {
    let good = 0;
    fc.assert(
      fc.property(agreementRow, (row) => {
        const compiled = importAgreementRowSchema.safeParse(row);
        good += compiled.success ? 1 : 0;
        expect(outcome(compiled)).toEqual(outcome(importAgreementSchema.safeParse(row)));
      }),
      { numRuns: 2_000 },
    );
    expect(good).toBeGreaterThan(100);
    expect(good).toBeLessThan(1_900);
  });
});
