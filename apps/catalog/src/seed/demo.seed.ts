import type { EntityManager } from '@mikro-orm/core';
import { DEMO_PRODUCERS, demoCreditCode, demoId } from '@yugong/shared/demo';
import { Producer } from '../producers/producer.entity';
import { Lot } from '../products/lot.entity';
import { Product } from '../products/product.entity';

/**
 * Seeds the demo region's producers (verified), their active products and lots. Idempotent: rows
 * are keyed by deterministic ids, and existing rows are left as they are (a demo user's edits stay).
 */
export async function seedDemoCatalog(
  em: EntityManager,
): Promise<{ producers: number; products: number; created: number }> {
  let created = 0;
  let products = 0;
  const existing = new Set((await em.find(Producer, {}, { fields: ['id'] })).map((p) => p.id));
  const existingProducts = new Set((await em.find(Product, {}, { fields: ['id'] })).map((p) => p.id));
  // Lots are produced on fixed dates before the campaign report so that ordering is stable.
  const lotDates = ['2020-04-20', '2020-05-08'];
  for (const demo of DEMO_PRODUCERS) {
    const producerId = demoId('producer', demo.key);
    const producer = existing.has(producerId)
      ? em.getReference(Producer, producerId)
      : em.create(Producer, {
          id: producerId,
          kind: demo.kind,
          legalName: demo.legalName,
          creditCode: demoCreditCode(demo),
          town: demo.town,
          village: demo.village,
          status: 'verified',
          householdShareBps: demo.householdShareBps,
        });
    created += existing.has(producerId) ? 0 : 1;
    for (const item of demo.products) {
      products++;
      const productId = demoId('product', `${demo.key}/${item.key}`);
      if (existingProducts.has(productId)) {
        continue;
      }
      const product = em.create(Product, {
        id: productId,
        producer,
        nameZh: item.nameZh,
        nameEn: item.nameEn,
        category: item.category,
        unit: item.unit,
        priceFen: item.priceFen,
        currency: 'CNY',
        originVillage: item.originVillage,
        reliefCertification: `济扶认字〔2020〕${String(products).padStart(3, '0')}号`,
        status: 'active',
      });
      created++;
      item.lots.forEach((quantity, i) => {
        em.create(Lot, {
          id: demoId('lot', `${demo.key}/${item.key}/${i + 1}`),
          product,
          lotCode: `${item.key.toUpperCase()}-2020-${String(i + 1).padStart(2, '0')}`,
          producedOn: lotDates[i % lotDates.length],
          quantity,
          onHand: quantity,
        });
        created++;
      });
    }
  }
  await em.flush();
  return { producers: DEMO_PRODUCERS.length, products, created };
}
