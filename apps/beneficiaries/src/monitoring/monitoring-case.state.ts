import type { CaseStatus } from './monitoring-case.entity';

/** The moves an officer may make, by target: from which statuses each is allowed. */
const MOVES: Record<'visited' | 'closed', readonly CaseStatus[]> = {
  visited: ['open', 'visited'],
  closed: ['open', 'visited'],
};

/** The statuses a case may move to `to` from. */
export function caseSourcesOf(to: 'visited' | 'closed'): readonly CaseStatus[] {
  return MOVES[to];
}
