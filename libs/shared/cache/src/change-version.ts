import type { Redis } from 'ioredis';

/**
 * A counter in Redis that a writer moves after each change it commits, and that a reader reads
 * before a read it means to keep: what it kept stands only while the counter still reads the same.
 * Unlike `ReadCache`, which learns of a change by message moments later, every reader looks at the
 * counter itself, so a kept answer outlives a change by no more than the writer's step from its
 * commit to its bump.
 */
export class ChangeVersion {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    namespace: string,
  ) {
    this.key = `${namespace}:version`;
  }

  /** The counter as it reads now ('0' before the first change); undefined when Redis cannot say. */
  async current(): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.key)) ?? '0';
    } catch {
      return undefined;
    }
  }

  /** Moves the counter; call after the change commits. Rejects when Redis cannot be told. */
  async bump(): Promise<void> {
    await this.redis.incr(this.key);
  }
}
