import type { Redis } from 'ioredis';

/** Scans of codes that are not genuine, since the counters began. */
export interface RefusedScans {
  /** Codes whose tag did not verify (forged), refused by licensing or by a gateway. */
  forged: number;
  /** Codes whose tag verified but that were never issued. */
  unknown: number;
}

/**
 * The counterfeit counters every licensing instance adds to and reads: in Redis
 * (`RedisLabelSignalsStore`), or in this process when there is no Redis
 * (`MemoryLabelSignalsStore`, one machine only). Places per code are rows in PostgreSQL
 * (`label_scan_place`), already shared.
 */
export abstract class LabelSignalsStore {
  /** Adds refused scans (either count may be 0). */
  abstract add(scans: Partial<RefusedScans>): Promise<void>;

  abstract read(): Promise<RefusedScans>;
}

const FORGED = 'labels:forged-scans';
const UNKNOWN = 'labels:unknown-scans';

/** The counters in Redis: every instance (and every gateway's forged scans, through licensing). */
export class RedisLabelSignalsStore extends LabelSignalsStore {
  constructor(private readonly redis: Redis) {
    super();
  }

  async add({ forged = 0, unknown = 0 }: Partial<RefusedScans>): Promise<void> {
    await Promise.all([
      forged > 0 ? this.redis.incrby(FORGED, forged) : undefined,
      unknown > 0 ? this.redis.incrby(UNKNOWN, unknown) : undefined,
    ]);
  }

  async read(): Promise<RefusedScans> {
    const [forged, unknown] = await this.redis.mget(FORGED, UNKNOWN);
    return { forged: Number(forged ?? 0), unknown: Number(unknown ?? 0) };
  }
}

/** The counters of a licensing without Redis: this process, since it started. */
export class MemoryLabelSignalsStore extends LabelSignalsStore {
  private readonly counts: RefusedScans = { forged: 0, unknown: 0 };

  async add({ forged = 0, unknown = 0 }: Partial<RefusedScans>): Promise<void> {
    this.counts.forged += forged;
    this.counts.unknown += unknown;
  }

  async read(): Promise<RefusedScans> {
    return { ...this.counts };
  }
}

/** The counters in Redis when licensing has one, else in this process. */
export function labelSignalsStore(redis: Redis | undefined): LabelSignalsStore {
  return redis ? new RedisLabelSignalsStore(redis) : new MemoryLabelSignalsStore();
}
