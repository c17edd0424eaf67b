import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { PROTO_ROOT, protoPath } from '@yugong/contracts';
import { outgoingMetadata, PROTO_LOADER_OPTIONS } from '@yugong/shared/grpc';
import { eventPayloadMessage } from '../orders.mapper';

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
  serviceToken: string;
}

/** Where events go: one gRPC consumer (the ledger, or a test subscriber). */
export interface EventConsumer {
  readonly name: string;
  deliver(event: WireEvent, deadlineMs: number): Promise<void>;
  close(): void;
}

/** The event as `ConsumeOrderEvent` carries it (orders.v1 OrderEvent, JSON-shaped). */
export interface WireEvent {
  id: number;
  eventId: string;
  type: string;
  orderId: string;
  sequence: number;
  occurredAt: { seconds: number; nanos: number };
  order: unknown;
  refund?: unknown;
}

interface ClaimedRow {
  id: string;
  event_id: string;
  type: string;
  order_id: string;
  sequence: number;
  occurred_at: Date;
  attempts: number;
  payload: { order: unknown; refund?: unknown };
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
    private readonly consumers: EventConsumer[],
    private readonly settings: RelaySettings,
    /** Test seam: runs after a row is delivered and before it is marked (e.g. to simulate a crash). */
    private readonly afterDeliver: (eventId: string) => void = () => undefined,
  ) {}

  /** One pass; answers how many events it delivered. */
  async relayOnce(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await tx.execute<ClaimedRow[]>(
        `select e.id, e.event_id, e.type, e.order_id, e.sequence, e.occurred_at, e.attempts, e.payload
           from outbox_event e
          where e.delivered_at is null and e.next_attempt_at <= now()
            and not exists (select 1 from outbox_event p
                             where p.order_id = e.order_id and p.delivered_at is null and p.id < e.id)
          order by e.id
          limit ?
            for update skip locked`,
        [this.settings.batch],
      );
      let delivered = 0;
      for (const row of rows) {
        const event = toWire(row);
        try {
          for (const consumer of this.consumers) {
            await consumer.deliver(event, this.settings.deadlineMs);
          }
        } catch (error) {
          await this.deferred(tx, row, error);
          continue;
        }
        this.afterDeliver(row.event_id);
        await tx.execute(
          'update outbox_event set delivered_at = now(), last_error = null where id = ?',
          [row.id],
          'run',
        );
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

  private async deferred(tx: EntityManager, row: ClaimedRow, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const parked = attempts >= this.settings.maxAttempts;
    const wait = Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** (attempts - 1));
    await tx.execute(
      `update outbox_event set attempts = ?, last_error = ?,
              next_attempt_at = ${parked ? `'infinity'::timestamptz` : `now() + (? || ' milliseconds')::interval`}
        where id = ?`,
      parked
        ? [attempts, message.slice(0, 500), row.id]
        : [attempts, message.slice(0, 500), String(wait), row.id],
      'run',
    );
    if (parked) {
      this.logger.error(
        `event ${row.event_id} of order ${row.order_id} parked after ${attempts} attempts: ${message}`,
      );
    }
  }
}

function toWire(row: ClaimedRow): WireEvent {
  const ms = new Date(row.occurred_at).getTime();
  return {
    id: Number(row.id),
    eventId: row.event_id,
    type: row.type,
    orderId: row.order_id,
    sequence: Number(row.sequence),
    occurredAt: { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1_000_000 },
    ...eventPayloadMessage(row.payload as Record<string, unknown>),
  };
}

type ConsumerStub = grpc.Client & {
  ConsumeOrderEvent(
    request: unknown,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null) => void,
  ): void;
};

/** A consumer at a gRPC address implementing `yugong.orders.v1.OrderEventsConsumerService`. */
export function grpcEventConsumer(url: string, serviceToken: string): EventConsumer {
  const definition = protoLoader.loadSync(protoPath('orders'), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const stub = new pkg.yugong.orders.v1.OrderEventsConsumerService(
    url,
    grpc.credentials.createInsecure(),
  ) as ConsumerStub;
  return {
    name: url,
    deliver: (event, deadlineMs) =>
      new Promise((resolve, reject) =>
        stub.ConsumeOrderEvent(
          { event },
          outgoingMetadata({ serviceToken }),
          { deadline: Date.now() + deadlineMs },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    close: () => stub.close(),
  };
}
