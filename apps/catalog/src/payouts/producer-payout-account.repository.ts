import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Producer } from '../producers/producer.entity';
import { ProducerPayoutAccount } from './producer-payout-account.entity';

/** Every query of producers' payout accounts. */
@Injectable()
export class ProducerPayoutAccountRepository {
  async producerExists(em: EntityManager, producerId: string): Promise<boolean> {
    return (await em.count(Producer, { id: producerId })) > 0;
  }

  /** Sets the producer's account, replacing the one it had. */
  async upsert(em: EntityManager, row: Omit<ProducerPayoutAccount, 'updatedAt'>): Promise<void> {
    await em.upsert(
      ProducerPayoutAccount,
      { ...row, updatedAt: new Date() },
      { onConflictFields: ['producerId'] },
    );
  }

  async find(em: EntityManager, producerId: string): Promise<ProducerPayoutAccount | null> {
    return em.findOne(ProducerPayoutAccount, { producerId }, { disableIdentityMap: true });
  }

  async findMany(em: EntityManager, producerIds: string[]): Promise<ProducerPayoutAccount[]> {
    if (producerIds.length === 0) {
      return [];
    }
    return em.find(ProducerPayoutAccount, { producerId: { $in: producerIds } }, { disableIdentityMap: true });
  }

  /** Those of the producers that have an account, in id order. */
  async ready(em: EntityManager, producerIds: string[]): Promise<string[]> {
    const rows = await this.findMany(em, producerIds);
    return rows.map((r) => r.producerId).sort();
  }
}
