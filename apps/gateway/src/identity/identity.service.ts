import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  hashPassword,
  passwordProblems,
  requireRole,
  verifyPassword,
  type CallerIdentity,
  type Role,
} from '@yugong/shared/auth';
import { NotFound, PermissionDenied, ValidationFailed, fromRpcError } from '@yugong/shared/errors';
import { status } from '@grpc/grpc-js';
import { CatalogClient } from '../catalog/catalog.client';
import { SessionService, type IssuedSession } from '../sessions/session.service';
import { SignInBackoff } from '../sessions/sign-in-backoff.store';
import {
  AccountDisabled,
  BadCredentials,
  EmailTaken,
  NotAnInstitution,
  RoleNotGrantable,
  SignInThrottled,
  UnknownProducers,
} from './identity.errors';
import { User } from './user.entity';

/** A new account's details. */
export interface NewAccount {
  email: string;
  name: string;
  password: string;
  role: Role;
  producerIds?: string[];
}

// Verified against when the email is unknown, so that a wrong email costs as long as a wrong password.
const DUMMY_HASH = hashPassword('not-a-real-password-0000');

/** A change to an account by an officer or an admin; what is left out stays. */
export interface AccountChange {
  disabled?: boolean;
  role?: Role;
  producerIds?: string[];
}

/** Which roles each role may hand out. */
const GRANTABLE: Partial<Record<Role, Role[]>> = {
  admin: ['consumer', 'institution', 'producer_staff', 'relief_officer', 'auditor', 'admin'],
  relief_officer: ['institution', 'producer_staff'],
};

/** Accounts, sign-in and the tokens that carry identity to every other service. */
@Injectable()
export class IdentityService {
  constructor(
    @InjectRepository(User) private readonly users: EntityRepository<User>,
    private readonly em: EntityManager,
    private readonly catalog: CatalogClient,
    private readonly sessions: SessionService,
    private readonly backoff: SignInBackoff,
  ) {}

  /**
   * Self-service sign-up: a consumer account for a new email. For an email that has an account,
   * nothing changes, and the caller can't tell: both cases hash the password and answer alike
   * (a deployment that sends mail would tell the owner someone tried to sign up as them).
   */
  async register(input: { email: string; name: string; password: string }): Promise<void> {
    const account = { ...input, role: 'consumer' as const };
    if (await this.users.count({ email: normalizedEmail(input.email) })) {
      requireGoodPassword(account.password);
      await hashPassword(account.password);
      return;
    }
    try {
      await this.insert(account, null);
    } catch (error) {
      // Signed up twice at once: the other request made the account.
      if (!(error instanceof EmailTaken)) {
        throw error;
      }
    }
  }

  /**
   * Signs in: a session for the right password of an enabled account.
   *
   * @throws SignInThrottled while the email backs off after repeated failures, whoever sends it
   * @throws BadCredentials for an unknown email or a wrong password, alike
   * @throws AccountDisabled for the right password of a disabled account
   */
  async login(input: { email: string; password: string }): Promise<IssuedSession & { user: User }> {
    const email = normalizedEmail(input.email);
    const wait = await this.backoff.admit(email);
    if (wait > 0) {
      throw new SignInThrottled(wait);
    }
    const user = await this.users.findOne({ email });
    const ok = await verifyPassword(user?.passwordHash ?? (await DUMMY_HASH), input.password);
    if (!user || !ok) {
      await this.backoff.failed(email);
      throw new BadCredentials();
    }
    await this.backoff.succeeded(email);
    if (user.disabledAt) {
      throw new AccountDisabled();
    }
    return { ...(await this.sessions.start(user)), user };
  }

  async me(caller: CallerIdentity): Promise<User> {
    const user = await this.users.findOne({ id: caller.userId });
    if (!user) {
      throw new NotFound('user', caller.userId);
    }
    return user;
  }

  /** An account made by an officer (staff, institutions) or an admin (any role). */
  /** The institution account `userId`; NotAnInstitution (naming `userId`) when there is none. */
  async requireInstitution(userId: string): Promise<User> {
    const user = await this.users.findOne({ id: userId });
    if (user?.role !== 'institution') {
      throw new NotAnInstitution();
    }
    return user;
  }

  async createAccount(caller: CallerIdentity | null, input: NewAccount): Promise<User> {
    const actor = requireRole(caller, 'relief_officer', 'admin');
    if (!GRANTABLE[actor.role]?.includes(input.role)) {
      throw new RoleNotGrantable(input.role);
    }
    const producerIds = [...new Set(input.producerIds ?? [])];
    await this.requireProducerScope(actor, input.role, producerIds);
    return this.insert({ ...input, producerIds }, actor.userId);
  }

  /** Producer staff act for at least one existing producer; nobody else acts for any. */
  private async requireProducerScope(
    actor: CallerIdentity,
    role: Role,
    producerIds: string[],
  ): Promise<void> {
    if (role === 'producer_staff') {
      if (producerIds.length === 0) {
        throw new ValidationFailed([
          { field: 'producerIds', reason: 'a producer_staff account needs at least one producer' },
        ]);
      }
      await this.requireProducersExist(actor, producerIds);
    } else if (producerIds.length > 0) {
      throw new ValidationFailed([
        { field: 'producerIds', reason: 'only producer_staff accounts act for producers' },
      ]);
    }
  }

  /**
   * Disables or enables an account, or changes its role or producers. An officer may change only
   * the accounts it could have made, into accounts it could make; nobody changes their own. The
   * user's signed-in sessions follow within SESSION_RECHECK_SECONDS (at once on this process).
   */
  async changeAccount(caller: CallerIdentity | null, userId: string, change: AccountChange): Promise<User> {
    const actor = requireRole(caller, 'relief_officer', 'admin');
    if (actor.userId === userId) {
      throw new PermissionDenied('you may not change your own account');
    }
    const user = await this.users.findOne({ id: userId });
    if (!user) {
      throw new NotFound('user', userId);
    }
    const grantable = GRANTABLE[actor.role] ?? [];
    const role = change.role ?? user.role;
    if (!grantable.includes(user.role) || !grantable.includes(role)) {
      throw new RoleNotGrantable(grantable.includes(user.role) ? role : user.role);
    }
    const producerIds = [
      ...new Set(change.producerIds ?? (role === 'producer_staff' ? user.producerIds : [])),
    ];
    await this.requireProducerScope(actor, role, producerIds);
    user.role = role;
    user.producerIds = producerIds;
    if (change.disabled !== undefined) {
      user.disabledAt = change.disabled ? (user.disabledAt ?? new Date()) : null;
    }
    await this.em.flush();
    this.sessions.forget(user.id);
    return user;
  }

  /** Creates the account unless its email exists (boot-time admin and demo accounts). */
  async ensureAccount(input: NewAccount): Promise<boolean> {
    const email = normalizedEmail(input.email);
    if (await this.users.count({ email })) {
      return false;
    }
    await this.insert(input, null);
    return true;
  }

  private async insert(input: NewAccount, createdBy: string | null): Promise<User> {
    requireGoodPassword(input.password);
    const user = this.users.create({
      email: normalizedEmail(input.email),
      name: input.name.trim(),
      passwordHash: await hashPassword(input.password),
      role: input.role,
      producerIds: input.producerIds ?? [],
      createdBy,
    });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new EmailTaken();
      }
      throw error;
    }
    return user;
  }

  private async requireProducersExist(actor: CallerIdentity, producerIds: string[]): Promise<void> {
    const missing: string[] = [];
    await Promise.all(
      producerIds.map(async (id) => {
        try {
          await this.catalog.call('getProducer', { id }, { caller: actor, idempotent: true });
        } catch (error) {
          const rpc = fromRpcError(error);
          if (rpc && (rpc.status === status.NOT_FOUND || rpc.status === status.INVALID_ARGUMENT)) {
            missing.push(id);
            return;
          }
          throw error;
        }
      }),
    );
    if (missing.length > 0) {
      throw new UnknownProducers(missing);
    }
  }
}

/** Emails are stored, looked up and counted lower-cased and trimmed. */
function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

function requireGoodPassword(password: string): void {
  const problems = passwordProblems(password);
  if (problems.length > 0) {
    throw new ValidationFailed(problems.map((reason: string) => ({ field: 'password', reason })));
  }
}
