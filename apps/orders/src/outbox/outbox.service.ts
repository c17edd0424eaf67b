import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { z } from 'zod';

export interface StoredEvent {
  id: number;
  eventId: string;
  type: string;
  orderId: string;
  sequence: number;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

const listSchema = z.object({
  afterId: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .default(0),
  limit: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(500, 'must be at most 500')
    .transform((n) => n || 100),
});

/** Order events for consumers that pull: the relief office, auditors, and services (no user). */
@Injectable()
export class OutboxService {
  constructor(private readonly em: EntityManager) {}

  async list(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof listSchema>>,
  ): Promise<StoredEvent[]> {
    if (caller && !canReadAll(caller)) {
      throw new PermissionDenied('only the relief office and auditors read order events');
    }
    const q = parseRequest(listSchema, input);
    const rows = await this.em.fork().execute<Record<string, unknown>[]>(
      `select id, event_id, type, order_id, sequence, occurred_at, payload
         from outbox_event where id > ? order by id limit ?`,
      [q.afterId, q.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      eventId: r.event_id as string,
      type: r.type as string,
      orderId: r.order_id as string,
      sequence: Number(r.sequence),
      occurredAt: new Date(r.occurred_at as string),
      payload: r.payload as Record<string, unknown>,
    }));
  }
}
