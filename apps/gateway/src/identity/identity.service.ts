import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  hashPassword,
  passwordProblems,
  requireRole,
  TokenService,
  verifyPassword,
  type CallerIdentity,
  type Role,
} from '@yugong/shared/auth';
import { NotFound, ValidationFailed, fromRpcError } from '@yugong/shared/errors';
import { status } from '@grpc/grpc-js';
import { CatalogClient } from '../catalog/catalog.client';
import {
  BadCredentials,
  EmailTaken,
  NotAnInstitution,
  RoleNotGrantable,
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
    private readonly tokens: TokenService,
    private readonly catalog: CatalogClient,
  ) {}

  /** Self-service sign-up: always a consumer. */
  async register(input: { email: string; name: string; password: string }): Promise<User> {
    return this.insert({ ...input, role: 'consumer' }, null);
  }

  async login(input: {
    email: string;
    password: string;
  }): Promise<{ accessToken: string; expiresIn: number; user: User }> {
    const user = await this.users.findOne({ email: input.email.trim().toLowerCase() });
    const ok = await verifyPassword(user?.passwordHash ?? (await DUMMY_HASH), input.password);
    if (!user || !ok) {
      throw new BadCredentials();
    }
    const issued = await this.tokens.issue({
      userId: user.id,
      role: user.role,
      producerIds: user.producerIds,
    });
    return { ...issued, user };
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
    if (input.role === 'producer_staff') {
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
    return this.insert({ ...input, producerIds }, actor.userId);
  }

  /** Creates the account unless its email exists (boot-time admin and demo accounts). */
  async ensureAccount(input: NewAccount): Promise<boolean> {
    const email = input.email.trim().toLowerCase();
    if (await this.users.count({ email })) {
      return false;
    }
    await this.insert(input, null);
    return true;
  }

  private async insert(input: NewAccount, createdBy: string | null): Promise<User> {
    const problems = passwordProblems(input.password);
    if (problems.length > 0) {
      throw new ValidationFailed(problems.map((reason: string) => ({ field: 'password', reason })));
    }
    const user = this.users.create({
      email: input.email.trim().toLowerCase(),
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
