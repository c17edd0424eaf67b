import { FailedPrecondition } from '@yugong/shared/errors';
import type { LicenceStatusName } from './licence.entity';

/** What an officer does to a licence. */
export type LicenceActionName = 'approve' | 'reject' | 'suspend' | 'reinstate' | 'revoke' | 'expire';

const MOVES: Record<LicenceActionName, { from: LicenceStatusName[]; to: LicenceStatusName }> = {
  approve: { from: ['pending'], to: 'approved' },
  reject: { from: ['pending'], to: 'rejected' },
  suspend: { from: ['approved'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'approved' },
  revoke: { from: ['approved', 'suspended'], to: 'revoked' },
  expire: { from: ['approved', 'suspended'], to: 'expired' },
};

/** A licence may not make that move from where it stands. */
export class IllegalLicenceTransition extends FailedPrecondition {
  constructor(from: LicenceStatusName, action: LicenceActionName) {
    super('ILLEGAL_LICENCE_TRANSITION', `a licence that is ${from} cannot ${action}`, [
      { field: 'action', reason: `the licence is ${from}` },
    ]);
  }
}

/** Where a licence goes on `action`; IllegalLicenceTransition when it cannot from `from`. */
export function transition(from: LicenceStatusName, action: LicenceActionName): LicenceStatusName {
  const move = MOVES[action];
  if (!move.from.includes(from)) {
    throw new IllegalLicenceTransition(from, action);
  }
  return move.to;
}

/** The states a licence can be moved out of by `action`, for conditional updates. */
export function sourcesOf(action: LicenceActionName): LicenceStatusName[] {
  return MOVES[action].from;
}

/** Whether a licence in `status` is live: it covers its products while its period contains now. */
export function isLive(status: LicenceStatusName): boolean {
  return status === 'approved';
}
