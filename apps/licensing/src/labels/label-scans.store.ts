import { lru } from '@yugong/shared/cache';
import type { LabelRow } from './label.repository';

/** Scans of one code not yet written, by this process. */
export interface PendingScans {
  code: string;
  scans: number;
  revokedScans: number;
  lastScannedAt: Date;
  /** Keyed hashes of the client networks it was scanned from. */
  places: Set<string>;
}

/** How long a label read from the database answers scans in this process. */
export const LABEL_CACHE_TTL_MS = 1_000;

/**
 * The verify path's state in this process (not Redis: both parts are rebuilt from PostgreSQL, and
 * lost pending scans are at most one flush interval of counts): labels read in the last
 * {@link LABEL_CACHE_TTL_MS}, with the scans this process counted since, and the scans not yet
 * written, which the flush job writes in one statement. A licence's move forgets every cached
 * label, so this process shows a suspension or revocation at once; another instance shows it
 * within the TTL.
 */
export class LabelScansStore {
  private readonly labels = lru<string, { row: LabelRow; counted: number }>(50_000, {
    ttl: LABEL_CACHE_TTL_MS,
  });
  private pending = new Map<string, PendingScans>();

  cached(code: string): { row: LabelRow; counted: number } | undefined {
    return this.labels.get(code);
  }

  remember(row: LabelRow): { row: LabelRow; counted: number } {
    const entry = { row, counted: 0 };
    this.labels.set(row.code, entry);
    return entry;
  }

  /** Counts a scan of a cached label; answers its scans, this one included. */
  count(entry: { row: LabelRow; counted: number }, place: string | null, revoked: boolean, at: Date): number {
    entry.counted++;
    const code = entry.row.code;
    let p = this.pending.get(code);
    if (!p) {
      p = { code, scans: 0, revokedScans: 0, lastScannedAt: at, places: new Set() };
      this.pending.set(code, p);
    }
    p.scans++;
    p.revokedScans += revoked ? 1 : 0;
    p.lastScannedAt = at;
    if (place) {
      p.places.add(place);
    }
    return entry.row.scans + entry.counted;
  }

  /** Takes every pending scan (the caller writes them, or gives them back). */
  drain(): PendingScans[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }

  /** Gives back scans whose write failed, merged with any counted since. */
  restore(scans: PendingScans[]): void {
    for (const s of scans) {
      const now = this.pending.get(s.code);
      if (!now) {
        this.pending.set(s.code, s);
        continue;
      }
      now.scans += s.scans;
      now.revokedScans += s.revokedScans;
      for (const place of s.places) {
        now.places.add(place);
      }
    }
  }

  /** Forgets cached labels (their stored scans changed elsewhere): the next scan reads them again. */
  forget(codes: Iterable<string>): void {
    for (const code of codes) {
      this.labels.delete(code);
    }
  }

  forgetAll(): void {
    this.labels.clear();
  }
}
