import fc from 'fast-check';
import { nationalIdCheckCharacter } from '../pii/national-id.util';
import { HOUSEHOLD_STATUSES } from './household.entity';
import { householdFieldsSchema, wellFormedHouseholdFields } from './household.schemas';

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

/** A field that is usually well formed and otherwise any of the ways a row goes wrong. */
const often = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ arbitrary: good, weight: 4 }, ...bad.map((arbitrary) => ({ arbitrary, weight: 1 })));

const row = fc.record(
  {
    archiveNumber: often(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/),
      fc.constant(' A-1 '),
      fc.constant('-A'),
      fc.constant('A'.repeat(41)),
      fc.constant(''),
      fc.integer(),
    ),
    headName: often(
      fc.string({ minLength: 1, maxLength: 50 }),
      fc.constant('   '),
      fc.string({ minLength: 51, maxLength: 60 }),
      fc.constant(' 王伟 '),
      fc.constant(null),
    ),
    nationalId: often(
      validNationalId,
      validNationalId.map((id) => ` ${id.toLowerCase()} `),
      validNationalId.map((id) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0')),
      fc.string(),
      fc.constant(undefined),
    ),
    members: often(
      fc.integer({ min: 1, max: 30 }),
      fc.integer(),
      fc.double(),
      fc.constant('3'),
      fc.constant(NaN),
    ),
    status: often(
      fc.constantFrom<string | undefined>(undefined, ...HOUSEHOLD_STATUSES),
      fc.constant('HOUSEHOLD_STATUS_REGISTERED'),
      fc.string(),
      fc.constant(null),
    ),
    exitYear: often(
      fc.constantFrom<number | undefined>(undefined, 0, 1980, 2024, 2100),
      fc.integer({ min: 1900, max: 2200 }),
      fc.double(),
      fc.constant(-0),
      fc.constant(null),
    ),
    baselineIncome: often(
      fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.record(
          {
            fen: fc.integer({ min: 0, max: 1e9 }),
            currency: fc.constantFrom<string | undefined>('CNY', '', undefined),
          },
          { requiredKeys: ['fen'] },
        ),
      ),
      fc.record({
        fen: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60), fc.constant('1')),
        currency: fc.string(),
      }),
      fc.record({ currency: fc.constant('CNY') }),
      fc.constant(Object.assign([], { fen: 1 })),
      fc.constant(5),
    ),
    payoutAccount: often(
      fc.oneof(
        fc.constant(undefined),
        fc.constant(''),
        fc.stringMatching(/^\d{8,32}$/),
        fc.constant(' 6222 0000 1111 2222 '),
      ),
      fc.stringMatching(/^\d{1,7}$/),
      fc.stringMatching(/^\d{33,40}$/),
      fc.string(),
      fc.constant(null),
    ),
    villageId: fc.uuid(),
  },
  { requiredKeys: [] },
);

describe(wellFormedHouseholdFields.name, () => {
  it('answers what the schema parses, or nothing, and never passes what the schema refuses', () => {
    let answered = 0;
    fc.assert(
      fc.property(row, (input) => {
        const fast = wellFormedHouseholdFields(input);
        const parsed = householdFieldsSchema.safeParse(input);
        if (fast !== undefined) {
          answered += 1;
          expect(parsed.success).toBe(true);
          expect(fast).toStrictEqual(parsed.data);
        }
      }),
      { numRuns: 5_000 },
    );
    // The hand path is the one well-formed rows take, not a path nothing reaches.
    expect(answered).toBeGreaterThan(10);
  });

  it('answers every well-formed row as the schema does', () => {
    fc.assert(
      fc.property(
        fc.record({
          archiveNumber: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/),
          headName: fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim().length > 0),
          nationalId: validNationalId,
          members: fc.integer({ min: 1, max: 30 }),
          status: fc.constantFrom('registered', 'monitored_edge', 'monitored_unstable'),
          baselineIncome: fc.record({ fen: fc.integer({ min: 0, max: 1e9 }), currency: fc.constant('CNY') }),
          payoutAccount: fc.stringMatching(/^\d{8,32}$/),
        }),
        (input) => {
          const parsed = householdFieldsSchema.safeParse(input);
          expect(parsed.success).toBe(true);
          expect(wellFormedHouseholdFields(input)).toStrictEqual(parsed.data);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
