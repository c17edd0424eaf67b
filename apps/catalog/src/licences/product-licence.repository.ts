import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Every query on catalog's copy of licence coverage. Each takes the EntityManager it runs on. */
@Injectable()
export class ProductLicenceRepository {
  /**
   * Replaces what one licence covers: its rows go, then its products of `producerId` are covered
   * from `validFrom` to `validTo` (a product another licence held is taken over: licensing lets
   * one live licence cover a product). Run it in a transaction. Returns the products covered.
   */
  async replace(
    em: EntityManager,
    licence: { id: string; number: string; producerId: string; validFrom: Date; validTo: Date },
    productIds: string[] | null,
  ): Promise<number> {
    await em.execute(`delete from product_licence where licence_id = ?`, [licence.id]);
    if (!productIds || productIds.length === 0) {
      return 0;
    }
    const rows = await em.execute<{ product_id: string }[]>(
      `insert into product_licence (product_id, licence_id, licence_number, valid_from, valid_to, updated_at)
       select p.id, ?, ?, ?, ?, now() from product p
        where p.id = any(?::uuid[]) and p.producer_id = ?
       on conflict (product_id) do update set licence_id = excluded.licence_id,
         licence_number = excluded.licence_number, valid_from = excluded.valid_from,
         valid_to = excluded.valid_to, updated_at = now()
       returning product_id`,
      [
        licence.id,
        licence.number,
        licence.validFrom,
        licence.validTo,
        `{${productIds.join(',')}}`,
        licence.producerId,
      ],
    );
    return rows.length;
  }
}
