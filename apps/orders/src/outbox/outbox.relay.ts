import type { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { orders } from '@yugong/contracts';
import { continueTrace } from '@yugong/shared/telemetry';
import { eventPayloadMessage } from '../orders.mapper';
import type { ClaimedEvent, OutboxRepository } from './outbox.repository';

/** How the relay paces itself. */
export interface RelaySettings {
  /** Rows claimed per pass. */
  batch: number;
  /** Deadline of one delivery. */
  deadlineMs: number;
  /** First back-off after a failed delivery; doubles per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** After this many failed attempts an event is parked (and its order's later events wait behind it). */
  maxAttempts: number;
}

/** Where events go: one gRPC consumer (the ledger, or a test subscriber). */
export interface EventConsumer {
  readonly name: string;
  deliver(event: orders.OrderEvent, deadlineMs: number): Promise<void>;
  close(): void;
}

/**
 * Delivers outbox events at least once, in order per order. A pass claims, in one transaction,
 * the undelivered rows that are due and are the earliest undelivered event of their order, with
 * `FOR UPDATE SKIP LOCKED` — so any number of relays share the work and never hold the same row
 * — delivers each to every consumer, and marks it delivered before committing. A relay that dies
 * between delivering and committing leaves the row unmarked: it is delivered again, and the
 * consumer, which dedupes on the event id, applies it once.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxRepository,
    private readonly consumers: EventConsumer[],
    private readonly settings: RelaySettings,
    /** Test seam: runs after a row is delivered and before it is marked (e.g. to simulate a crash). */
    private readonly afterDeliver: (eventId: string) => void = () => undefined,
  ) {}

  /** One pass; answers how many events it delivered. */
  async relayOnce(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await this.outbox.claimDue(tx, this.settings.batch);
      let delivered = 0;
      for (const row of rows) {
        const event = toWire(row);
        try {
          // In the trace of the request that wrote the event, so the consumer's handling joins it.
          await continueTrace(
            row.traceContext,
            `relay ${row.type}`,
            { 'yugong.event_id': row.eventId },
            async () => {
              for (const consumer of this.consumers) {
                await consumer.deliver(event, this.settings.deadlineMs);
              }
            },
          );
        } catch (error) {
          await this.defer(tx, row, error);
          continue;
        }
        this.afterDeliver(row.eventId);
        await this.outbox.markDelivered(tx, row.id);
        delivered++;
      }
      return delivered;
    });
  }

  close(): void {
    for (const consumer of this.consumers) {
      consumer.close();
    }
  }

  private async defer(tx: EntityManager, row: ClaimedEvent, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const parked = attempts >= this.settings.maxAttempts;
    const wait = Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** (attempts - 1));
    await this.outbox.defer(tx, row.id, {
      attempts,
      error: message.slice(0, 500),
      waitMs: parked ? 'parked' : wait,
    });
    if (parked) {
      this.logger.error(
        `event ${row.eventId} of order ${row.orderId} parked after ${attempts} attempts: ${message}`,
      );
    }
  }
}

function toWire(row: ClaimedEvent): orders.OrderEvent {
  const ms = row.occurredAt.getTime();
  return {
    id: row.id,
    eventId: row.eventId,
    type: row.type,
    orderId: row.orderId,
    sequence: row.sequence,
    occurredAt: { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1_000_000 },
    ...eventPayloadMessage(row.payload),
    traceContext: row.traceContext ?? '',
  };
}
