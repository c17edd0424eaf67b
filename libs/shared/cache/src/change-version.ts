import type { Redis } from 'ioredis';

/**
 * A counter in Redis, `<namespace>:version`, that a writer moves after each change it commits and
 * a reader reads before a read it means to keep: what it kept stands only while the counter still
 * reads the same. `ReadCache` keeps its namespace's version on one, and learns of a move by message
 * moments later; a reader that reads the counter itself before each look (orders' licence terms)
 * sees a move as soon as the writer has made it.
 */
export class ChangeVersion {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    namespace: string,
  ) {
    this.key = `${namespace}:version`;
  }

  /** The counter as it reads now (0 before the first change); rejects when Redis cannot say. */
  async read(): Promise<number> {
    return Number((await this.redis.get(this.key)) ?? 0);
  }

  /** Moves the counter; call after the change commits. Its new value; rejects when Redis cannot be told. */
  bump(): Promise<number> {
    return this.redis.incr(this.key);
  }
}
