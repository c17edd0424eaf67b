import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { ProducerStatusName } from './producer.entity';
import { Producer } from './producer.entity';
import { ProducerStatusChange } from './producer-status-change.entity';

/** One move of a producer's status as its history shows it. */
export interface ProducerStatusStep {
  fromStatus: ProducerStatusName | null;
  toStatus: ProducerStatusName;
  reason: string;
  changedBy: string | null;
  createdAt: Date;
}

/** What a new move records. */
export interface NewProducerStatusChange {
  producerId: string;
  fromStatus: ProducerStatusName | null;
  toStatus: ProducerStatusName;
  reason: string;
  changedBy: string | null;
}

/** Every query on producers' status history. Each takes the EntityManager it runs on. */
@Injectable()
export class ProducerStatusHistoryRepository {
  /** Adds a move to `em`'s unit of work; the caller's flush writes it. */
  add(em: EntityManager, change: NewProducerStatusChange): void {
    const { producerId, ...fields } = change;
    em.create(ProducerStatusChange, { ...fields, producer: em.getReference(Producer, producerId) });
  }

  /** The producer's moves, oldest first. */
  async historyOf(em: EntityManager, producerId: string): Promise<ProducerStatusStep[]> {
    const rows = await em.find(
      ProducerStatusChange,
      { producer: producerId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return rows.map((r) => ({
      fromStatus: r.fromStatus ?? null,
      toStatus: r.toStatus,
      reason: r.reason,
      changedBy: r.changedBy ?? null,
      createdAt: r.createdAt,
    }));
  }
}
