import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** When an email is slowed down, and by how much. */
export interface SignInBackoffOptions {
  /** Failures allowed in a window before each further one sets a back-off. */
  failuresBeforeBackoff: number;
  /** The window, counted from its first failure. */
  failureWindowSeconds: number;
  /** The back-off set by the first failure past the allowance; each further one doubles it. */
  backoffSeconds: number;
  backoffMaxSeconds: number;
}

/**
 * Failed sign-ins per account, whatever the address they come from (the per-IP limit stops one
 * client, not a botnet or a spoofed `X-Forwarded-For`). Past the allowance, every failure blocks
 * the email for a back-off that doubles each time, up to a ceiling, and lets one attempt through
 * when it ends; attempts refused meanwhile check no password, so they reveal nothing and do not
 * count. A success clears both. Unknown emails count like known ones, so the back-off tells
 * nobody whether an account exists.
 *
 * Attempts are counted when they start, not when they fail, so that a burst sent at once gets no
 * more guesses than the same attempts sent one by one.
 *
 * Counters are in Redis when the gateway has one (shared by every process), else in this process.
 * Keys are a hash of the normalised email: the store holds no addresses.
 */
export class SignInBackoff {
  private readonly attempts: RateLimiterAbstract;
  private readonly blocks: RateLimiterAbstract;

  constructor(
    redis: Redis | null,
    private readonly options: SignInBackoffOptions,
  ) {
    const limiter = (keyPrefix: string, points: number, duration: number) =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    this.attempts = limiter('sign-in-attempts', options.failuresBeforeBackoff, options.failureWindowSeconds);
    this.blocks = limiter('sign-in-backoff', 1, options.backoffMaxSeconds);
  }

  /**
   * Admits an attempt for the email, or not.
   *
   * @returns 0 when it may go on and check the password, else the seconds to wait
   */
  async admit(email: string): Promise<number> {
    const key = keyOf(email);
    const block = await this.blocks.get(key);
    if (block && block.consumedPoints > 1) {
      return Math.max(1, Math.ceil(block.msBeforeNext / 1000));
    }
    const { consumedPoints } = await this.attempts.penalty(key);
    if (consumedPoints <= this.options.failuresBeforeBackoff) {
      return 0;
    }
    // Past the allowance: a back-off just ended, and only the first attempt to get here goes on.
    const turn = await this.blocks.penalty(key);
    if (turn.consumedPoints === 1) {
      return 0;
    }
    await this.attempts.reward(key);
    return 1;
  }

  /** Counts the admitted attempt as failed: past the allowance, the email waits. */
  async failed(email: string): Promise<void> {
    const key = keyOf(email);
    const attempts = (await this.attempts.get(key))?.consumedPoints ?? 0;
    const past = attempts - this.options.failuresBeforeBackoff;
    if (past >= 0) {
      const seconds = Math.min(this.options.backoffMaxSeconds, this.options.backoffSeconds * 2 ** past);
      await this.blocks.block(key, seconds);
    }
  }

  /** Forgets the email's attempts after a successful sign-in. */
  async succeeded(email: string): Promise<void> {
    const key = keyOf(email);
    await Promise.all([this.attempts.delete(key), this.blocks.delete(key)]);
  }
}

function keyOf(email: string): string {
  return createHash('sha256').update(email).digest('base64url');
}
