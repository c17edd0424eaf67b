import type { InboxDelivery } from './stripe-inbox.repository';

/** Writes deliveries to the inbox in one statement; answers the event ids it stored (new ones). */
export type WriteDeliveries = (deliveries: readonly InboxDelivery[]) => Promise<Set<string>>;

interface Waiting {
  delivery: InboxDelivery;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * The webhook route's durable write, shared by the deliveries that arrive together (group
 * commit): at most `inFlight` statements run at once, and the deliveries that arrive while they
 * run go together in the next one, up to `maxBatch`. A delivery alone is written at once; under
 * load one statement and one commit serve many. Each caller's promise settles only once the
 * statement holding its delivery has committed, so the route still answers 200 only after its
 * own row is durable. An event id twice in one statement is written once: the first caller gets
 * `true` (new), the others `false`, as if they had come one after another. A statement that fails
 * is tried again one delivery at a time, so that a delivery the database refuses fails alone.
 */
export class StripeInboxWriter {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly write: WriteDeliveries,
    private readonly settings: { inFlight: number; maxBatch: number },
  ) {}

  /** Resolves once `delivery` is in the inbox: true when this call stored it, false when it was there. */
  record(delivery: InboxDelivery): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.settings.inFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.settings.maxBatch);
      this.running += 1;
      void this.flush(group).finally(() => {
        this.running -= 1;
        this.next();
      });
    }
  }

  private async flush(group: Waiting[]): Promise<void> {
    const first = new Map<string, Waiting>();
    for (const w of group) {
      if (!first.has(w.delivery.eventId)) {
        first.set(w.delivery.eventId, w);
      }
    }
    const distinct = [...first.values()];
    let stored: Set<string>;
    try {
      stored = await this.write(distinct.map((w) => w.delivery));
    } catch (error) {
      if (distinct.length === 1) {
        for (const w of group) {
          w.reject(error);
        }
        return;
      }
      await Promise.all(distinct.map((w) => this.alone(w, group)));
      return;
    }
    for (const w of group) {
      w.resolve(first.get(w.delivery.eventId) === w && stored.has(w.delivery.eventId));
    }
  }

  /** Writes `w` on its own after its group's statement failed; settles it and its repeats in `group`. */
  private async alone(w: Waiting, group: Waiting[]): Promise<void> {
    const repeats = group.filter((other) => other !== w && other.delivery.eventId === w.delivery.eventId);
    try {
      const stored = await this.write([w.delivery]);
      w.resolve(stored.has(w.delivery.eventId));
      for (const other of repeats) {
        other.resolve(false);
      }
    } catch (error) {
      w.reject(error);
      for (const other of repeats) {
        other.reject(error);
      }
    }
  }
}
