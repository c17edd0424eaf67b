/** How a {@link GroupCommit} batches. */
export interface GroupCommitSettings {
  /** Items written together at most. */
  maxPerCall: number;
  /** Calls in flight at once. */
  maxCallsInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items arriving while a write is in flight wait and go together in the next call
 * of `writeMany` (one round trip, one transaction, one commit for all of them), up to
 * `maxPerCall` to a call and `maxCallsInFlight` calls at once. `writeMany` answers one outcome per
 * item, in order. When a call fails, each of its items is tried again alone, so that one bad item
 * fails only itself.
 */
export class GroupCommit<I, O> {
  private readonly pending: Pending<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly writeMany: (items: I[]) => Promise<O[]>,
    private readonly settings: GroupCommitSettings,
  ) {}

  write(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.settings.maxCallsInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.settings.maxPerCall);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outcomes = await this.writeMany(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await this.writeMany([p.item]))[0]!);
        } catch (alone) {
          p.reject(alone);
        }
      }
    }
  }
}
