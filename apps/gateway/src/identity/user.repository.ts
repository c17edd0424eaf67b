import { EntityRepository } from '@mikro-orm/postgresql';
import type { Role } from '@yugong/shared/auth';
import type { User } from './user.entity';

/** What a signed-in request needs to know of its user as of now. */
export interface UserState {
  role: Role;
  producerIds: string[];
  disabled: boolean;
}

/** Every query on accounts beyond a plain find. */
export class UserRepository extends EntityRepository<User> {
  /**
   * The user's role, producers and whether they are disabled; `undefined` when there is no such
   * user. Read as a plain row, outside the request's identity map, since the answer is cached
   * across requests.
   */
  async stateOf(userId: string): Promise<UserState | undefined> {
    const row = await this.createQueryBuilder()
      .select(['role', 'producerIds', 'disabledAt'])
      .where({ id: userId })
      .execute('get');
    return (
      row && {
        role: row.role,
        producerIds: row.producerIds,
        disabled: row.disabledAt !== null && row.disabledAt !== undefined,
      }
    );
  }
}
