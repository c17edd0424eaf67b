import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Unauthenticated } from '@yugong/shared/errors';
import jwt from 'jsonwebtoken';
import { lru } from '@yugong/shared/cache';
import { z } from 'zod';

import { callerIdentitySchema, type CallerIdentity } from './caller.model';

/**
 * The services of the platform. Each holds its own signing key; every other service holds its
 * public key, so a leaked key lets its holder speak only as that one service.
 */
export const SERVICE_NAMES = [
  'gateway',
  'catalog',
  'beneficiaries',
  'orders',
  'ledger',
  'licensing',
] as const;

/** One of {@link SERVICE_NAMES}. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * On whose behalf a call is made: a signed-in `user`, nobody (`anonymous`, a public read through
 * the gateway), or the calling `service` itself (a job, a relay, a verified webhook).
 */
export type Principal = 'user' | 'anonymous' | 'service';

/** What a service learns about a call from its verified assertion. */
export interface VerifiedCall {
  /** The service that made the call. */
  service: ServiceName;
  principal: Principal;
  /** The end user when `principal` is `user`, else null. */
  user: CallerIdentity | null;
}

/** Lifetime of an assertion: one call's deadline plus clock skew between machines. */
export const ASSERTION_TTL_SECONDS = 60;
const ALGORITHM = 'ES256';
/** Longest assertion accepted: far above a real one (~400 bytes), far below a header limit. */
const MAX_ASSERTION_LENGTH = 16 * 1024;
/**
 * What a reused assertion must still have to live beyond its call's deadline: the clock skew
 * between machines (the verifier's tolerance is 5 s of it) and the time to reach the callee.
 */
export const ASSERTION_MARGIN_MS = 10_000;
/** Assertions kept per process, signed or verified: bounds memory whatever the traffic. */
const CACHE_ENTRIES = 10_000;

const serviceNameSchema = z.enum(SERVICE_NAMES);
const claimsSchema = z.object({
  iss: serviceNameSchema,
  aud: serviceNameSchema,
  rpc: z.string().min(1).max(200),
  act: z.enum(['user', 'anonymous', 'service']),
  usr: callerIdentitySchema.optional(),
  exp: z.number().int(),
});

/**
 * Reads a key from the environment: base64 of its DER (PKCS#8 for a private key, SPKI for a
 * public one), which fits on one line of an env file.
 */
export function privateKeyFrom(base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
}

/** @see privateKeyFrom */
export function publicKeyFrom(base64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
}

/**
 * Parses `SERVICE_PUBLIC_KEYS`: `name:base64,name:base64,…`, one P-256 public key per service
 * this one accepts calls from.
 *
 * @throws Error naming the entry that is not a known service with a valid key
 */
export function parsePublicKeys(value: string): Map<ServiceName, KeyObject> {
  const keys = new Map<ServiceName, KeyObject>();
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const name = serviceNameSchema.safeParse(entry.slice(0, separator));
    if (separator < 1 || !name.success) {
      throw new Error(`"${entry.slice(0, 20)}…" does not start with a service name and ":"`);
    }
    const key = publicKeyFrom(entry.slice(separator + 1));
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`the key of ${name.data} is not a P-256 public key`);
    }
    keys.set(name.data, key);
  }
  return keys;
}

/**
 * Signs the assertion a service sends with each call: who calls (`iss`), which service and method
 * it is for (`aud`, `rpc`), on whose behalf (`act`, and the user with role and producers), valid
 * for {@link ASSERTION_TTL_SECONDS}. ES256 over the caller's own key.
 */
export class AssertionSigner {
  private readonly signed = lru<string, { token: string; expiresAt: number }>(CACHE_ENTRIES);

  constructor(
    readonly service: ServiceName,
    private readonly key: KeyObject,
    private readonly ttlSeconds = ASSERTION_TTL_SECONDS,
  ) {
    if (key.type !== 'private' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`the signing key of ${service} is not a P-256 private key`);
    }
  }

  /**
   * Signs an assertion, or gives back the one signed before for the same service, method and
   * principal while it has at least `validForMs` left to live (as Google's self-signed JWT
   * credentials reuse a token until shortly before it expires). Reuse is safe: an assertion is
   * not single-use (no jti, no replay list); it names one callee, method and principal, and
   * expires {@link ASSERTION_TTL_SECONDS} after it was signed, however often it was sent. Signing
   * (ES256) and verifying cost ~0.15 ms of CPU together; reuse lets both sides pay it once per
   * method and user in most of a minute, not per call.
   *
   * @param audience - the service called
   * @param rpc - the full method path, `/package.Service/Method`
   * @param onBehalfOf - the signed-in user, `null` for nobody, `'service'` for this service itself
   * @param validForMs - how long the call needs it valid: its deadline plus
   *   {@link ASSERTION_MARGIN_MS}; by default five sixths of its life (a streaming call's)
   */
  sign(
    audience: ServiceName,
    rpc: string,
    onBehalfOf: CallerIdentity | null | 'service',
    validForMs = (this.ttlSeconds * 5000) / 6,
  ): string {
    const key =
      onBehalfOf === null || onBehalfOf === 'service'
        ? `${audience} ${rpc} ${onBehalfOf}`
        : `${audience} ${rpc} ${JSON.stringify([onBehalfOf.userId, onBehalfOf.role, onBehalfOf.producerIds])}`;
    const now = Date.now();
    const reused = this.signed.get(key);
    if (reused && reused.expiresAt - now >= validForMs) {
      return reused.token;
    }
    const token = this.signNew(audience, rpc, onBehalfOf);
    // jsonwebtoken's exp: the second it signed in (this one or, rarely, the next) plus the ttl.
    this.signed.set(key, { token, expiresAt: (Math.floor(now / 1000) + this.ttlSeconds) * 1000 });
    return token;
  }

  private signNew(audience: ServiceName, rpc: string, onBehalfOf: CallerIdentity | null | 'service'): string {
    const claims =
      onBehalfOf === 'service'
        ? { rpc, act: 'service' }
        : onBehalfOf === null
          ? { rpc, act: 'anonymous' }
          : {
              rpc,
              act: 'user',
              usr: { userId: onBehalfOf.userId, role: onBehalfOf.role, producerIds: onBehalfOf.producerIds },
            };
    return jwt.sign(claims, this.key, {
      algorithm: ALGORITHM,
      issuer: this.service,
      audience,
      expiresIn: this.ttlSeconds,
    });
  }
}

/**
 * Verifies assertions addressed to one service: signed by the key of the service named in `iss`,
 * meant for this service and this method, unexpired. Anything else is UNAUTHENTICATED with the
 * reason, and never a fallback to "trusted".
 */
export class AssertionVerifier {
  /** Assertions already verified, until they expire: the same token need not be checked twice. */
  private readonly verified = lru<string, { call: VerifiedCall; rpc: string; expiresAt: number }>(
    CACHE_ENTRIES,
  );

  constructor(
    readonly service: ServiceName,
    private readonly keys: ReadonlyMap<ServiceName, KeyObject>,
  ) {}

  /**
   * @param assertion - the `x-service-assertion` metadata value, if any
   * @param rpc - the path of the method being called
   */
  verify(assertion: string | undefined, rpc: string): VerifiedCall {
    if (typeof assertion !== 'string' || assertion === '') {
      throw new Unauthenticated('no service assertion: internal calls carry a signed x-service-assertion');
    }
    if (assertion.length > MAX_ASSERTION_LENGTH) {
      throw new Unauthenticated('service assertion too long');
    }
    const known = this.verified.get(assertion);
    if (known && known.expiresAt > Date.now()) {
      if (known.rpc !== rpc) {
        throw new Unauthenticated(`service assertion is for ${known.rpc}, not ${rpc}`);
      }
      return known.call;
    }
    const issuer = serviceNameSchema.safeParse((jwt.decode(assertion, { json: true }) ?? {}).iss);
    const key = issuer.success ? this.keys.get(issuer.data) : undefined;
    if (!issuer.success || !key) {
      throw new Unauthenticated(`service assertion from a service ${this.service} does not know`);
    }
    let payload: unknown;
    try {
      payload = jwt.verify(assertion, key, {
        algorithms: [ALGORITHM],
        audience: this.service,
        issuer: issuer.data,
        clockTolerance: 5,
      });
    } catch (error) {
      throw new Unauthenticated(`service assertion refused: ${(error as Error).message}`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new Unauthenticated('service assertion has malformed claims');
    }
    if (claims.data.rpc !== rpc) {
      throw new Unauthenticated(`service assertion is for ${claims.data.rpc}, not ${rpc}`);
    }
    const { act, usr, exp } = claims.data;
    if ((act === 'user') !== (usr !== undefined)) {
      throw new Unauthenticated('service assertion names a user only when acting for one');
    }
    const call: VerifiedCall = Object.freeze({
      service: issuer.data,
      principal: act,
      user: usr
        ? Object.freeze({ ...usr, producerIds: Object.freeze([...usr.producerIds]) as string[] })
        : null,
    });
    this.verified.set(assertion, { call, rpc, expiresAt: exp * 1000 });
    return call;
  }
}
