import type { Timestamp } from '@yugong/contracts';

/** A `google.protobuf.Timestamp` for an instant (millisecond precision). */
export function toTimestamp(date: Date): Timestamp {
  const ms = new Date(date).getTime();
  // Nanos are never negative: an instant before 1970 is a negative second plus a positive part.
  return { seconds: Math.floor(ms / 1_000), nanos: (((ms % 1_000) + 1_000) % 1_000) * 1_000_000 };
}

/** The instant a wire timestamp names; undefined when it is unset. */
export function fromTimestamp(ts: Timestamp | null | undefined): Date | undefined {
  if (!ts) {
    return undefined;
  }
  return new Date(Number(ts.seconds) * 1_000 + Math.floor((ts.nanos ?? 0) / 1_000_000));
}
