import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import type { z } from 'zod';
import { listEventsSchema } from './outbox.schemas';
import { OutboxRepository, type ListedEvent } from './outbox.repository';

/** Order events for consumers that pull: the relief office, auditors, and services (no user). */
@Injectable()
export class OutboxService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxRepository,
  ) {}

  async list(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof listEventsSchema>>,
  ): Promise<ListedEvent[]> {
    if (caller && !canReadAll(caller)) {
      throw new PermissionDenied('only the relief office and auditors read order events');
    }
    const q = parseRequest(listEventsSchema, input);
    return this.outbox.listAfter(this.em.fork(), q.afterId, q.limit);
  }
}
