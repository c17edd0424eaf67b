import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The queries of declared commitments beyond the journal's own writes. */
@Injectable()
export class CommitmentsRepository {
  /** The transaction posted under this idempotency key, if any. */
  async transactionIdOf(em: EntityManager, idempotencyKey: string): Promise<string | undefined> {
    const rows = await em.execute<{ id: string }[]>(
      `select id from journal_transaction where idempotency_key = ?`,
      [idempotencyKey],
    );
    return rows[0]?.id;
  }
}
