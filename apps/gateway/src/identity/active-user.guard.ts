import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityRepository } from '@mikro-orm/postgresql';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { RequestWithCaller } from '@yugong/shared/auth';
import { AccountGone } from './identity.errors';
import { User } from './user.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs after the `AuthGuard`: a signed-in caller must still be a user (401 otherwise), so that a
 * token does not outlive its account and a token forged for a made-up subject opens nothing.
 * One primary-key lookup per signed-in request, uncached: a deleted account loses access at once.
 */
@Injectable()
export class ActiveUserGuard implements CanActivate {
  constructor(@InjectRepository(User) private readonly users: EntityRepository<User>) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
    if (!caller) {
      return true; // anonymous: the AuthGuard already decided
    }
    // Not a uuid: no such user, and PostgreSQL would refuse the comparison.
    if (!UUID.test(caller.userId) || (await this.users.count({ id: caller.userId })) === 0) {
      throw new AccountGone();
    }
    return true;
  }
}
