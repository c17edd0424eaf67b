import { PermissionDenied, Unauthenticated } from '@yugong/shared/errors';

import {
  canActForProducer,
  canReadAll,
  isOfficer,
  requireCaller,
  requireProducerAccess,
  requireRole,
} from './access.rules';
import { ROLES, type CallerIdentity, type Role } from './caller.model';

const OWN = 'producer-own';
const OTHER = 'producer-other';

function as(role: Role): CallerIdentity {
  return { userId: `u-${role}`, role, producerIds: role === 'producer_staff' ? [OWN] : [] };
}

/** role → [isOfficer, canReadAll, acts for own producer, acts for another producer] */
const TABLE: Record<Role | 'anonymous', [boolean, boolean, boolean, boolean]> = {
  anonymous: [false, false, false, false],
  consumer: [false, false, false, false],
  institution: [false, false, false, false],
  producer_staff: [false, false, true, false],
  relief_officer: [true, true, true, true],
  auditor: [false, true, false, false],
  admin: [true, true, true, true],
};

describe('access rules', () => {
  it('covers every role in the table', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...ROLES, 'anonymous'].sort());
  });

  describe.each(Object.entries(TABLE))('for %s', (role, [officer, readsAll, own, other]) => {
    const sut = role === 'anonymous' ? null : as(role as Role);

    it(`isOfficer is ${officer}`, () => {
      expect(isOfficer(sut)).toBe(officer);
    });

    it(`canReadAll is ${readsAll}`, () => {
      expect(canReadAll(sut)).toBe(readsAll);
    });

    it(`canActForProducer is ${own} for its own producer and ${other} for another`, () => {
      expect(canActForProducer(sut, OWN)).toBe(own);
      expect(canActForProducer(sut, OTHER)).toBe(other);
    });

    it('requireProducerAccess agrees, with 401 for anonymous and 403 otherwise', () => {
      for (const [producerId, allowed] of [
        [OWN, own],
        [OTHER, other],
      ] as const) {
        if (allowed) {
          expect(requireProducerAccess(sut, producerId)).toBe(sut);
        } else {
          expect(() => requireProducerAccess(sut, producerId)).toThrow(
            sut ? PermissionDenied : Unauthenticated,
          );
        }
      }
    });
  });

  it('does not let producer_staff act for an empty producer id', () => {
    expect(canActForProducer({ userId: 'u', role: 'producer_staff', producerIds: [''] }, '')).toBe(false);
  });
});

describe(requireRole.name, () => {
  const sut = requireRole;

  it('returns the caller when its role is allowed', () => {
    const officer = as('relief_officer');

    expect(sut(officer, 'relief_officer', 'admin')).toBe(officer);
  });

  it('throws PermissionDenied for another role and Unauthenticated for anonymous', () => {
    expect(() => sut(as('auditor'), 'relief_officer', 'admin')).toThrow(PermissionDenied);
    expect(() => sut(null, 'consumer')).toThrow(Unauthenticated);
  });

  it('allows nobody when given no roles', () => {
    expect(() => sut(as('admin'))).toThrow(PermissionDenied);
  });
});

describe(requireCaller.name, () => {
  it('returns a signed-in caller and refuses anonymous', () => {
    const consumer = as('consumer');

    expect(requireCaller(consumer)).toBe(consumer);
    expect(() => requireCaller(null)).toThrow(Unauthenticated);
  });
});
