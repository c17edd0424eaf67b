import type { EntityManager } from '@mikro-orm/core';
import {
  chinaMidnight,
  DEMO_LOT_DATES,
  demoCreditCode,
  demoId,
  demoLotCode,
  demoLotId,
  demoProducers,
  demoSupplierHouseholds,
} from '@yugong/shared/demo';
import { HouseholdShare } from '../producers/household-share.entity';
import { Producer } from '../producers/producer.entity';
import { ProducerStatusChange } from '../producers/producer-status-change.entity';
import { ProductCertificate } from '../certification/product-certificate.entity';
import { Lot } from '../products/lot.entity';
import { LotSupplier } from '../products/lot-supplier.entity';
import { Product } from '../products/product.entity';

/** Households named per seeded lot, and the part of the lot they supplied between them. */
const SUPPLIERS_PER_LOT = 5;
const SUPPLIED_SHARE = 0.8;

/**
 * The supplier records of one demo lot: up to {@link SUPPLIERS_PER_LOT} of the producer's supply
 * households, taken in turn so that successive lots name different ones, sharing
 * {@link SUPPLIED_SHARE} of the lot (the rest the producer raised itself) as evenly as whole units
 * allow.
 *
 * @param households - the producer's demo supply households, in register order
 * @param lotNumber - the lot's index among the producer's lots (0 first)
 */
export function demoLotSuppliers(
  households: readonly string[],
  lotNumber: number,
  quantity: number,
): { householdId: string; quantity: number }[] {
  const supplied = Math.floor(quantity * SUPPLIED_SHARE);
  const n = Math.min(SUPPLIERS_PER_LOT, households.length, supplied);
  return Array.from({ length: n }, (_, k) => ({
    householdId: households[(lotNumber * SUPPLIERS_PER_LOT + k) % households.length],
    quantity: Math.floor(supplied / n) + (k < supplied % n ? 1 : 0),
  }));
}

/** The seeded products' certificates: issued in 2020, valid to the end of 2030. */
const DEMO_CERTIFIED_FROM = '2020-06-01';
const DEMO_CERTIFIED_TO = '2031-01-01';

/** The platform's number of the n-th seeded product's certificate. */
function demoCertificateNumber(n: number): string {
  return `JY-2020-${String(n).padStart(6, '0')}`;
}

/**
 * Seeds the demo region's producers (verified, with their household share history), their active
 * products and lots, with the demo register's supply households as the lots' suppliers (written
 * directly: the register is deterministic, and beneficiaries need not be up while catalog boots).
 * Idempotent: rows are keyed by deterministic ids, and existing rows are left as they are (a demo
 * user's edits stay); a seeded lot without supplier records gets them.
 */
export async function seedDemoCatalog(
  em: EntityManager,
): Promise<{ producers: number; products: number; created: number }> {
  let created = 0;
  let products = 0;
  const existing = new Set((await em.find(Producer, {}, { fields: ['id'] })).map((p) => p.id));
  const existingProducts = new Set((await em.find(Product, {}, { fields: ['id'] })).map((p) => p.id));
  const existingLots = new Set((await em.find(Lot, {}, { fields: ['id'] })).map((l) => l.id));
  const suppliedLots = new Set((await em.find(LotSupplier, {}, { fields: ['lot'] })).map((s) => s.lot.id));
  const existingCertificates = new Set(
    (await em.find(ProductCertificate, {}, { fields: ['id'] })).map((c) => c.id),
  );
  const certifyExisting: { productId: string; number: string }[] = [];
  const producers = demoProducers();
  for (const demo of producers) {
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
        });
    if (!existing.has(producerId)) {
      created++;
      em.create(ProducerStatusChange, {
        id: demoId('producer-status', demo.key),
        producer,
        toStatus: 'verified',
        reason: 'verified by the relief office in 2019',
        createdAt: chinaMidnight('2019-01-01'),
      });
      const steps = [
        { effectiveFrom: '2019-01-01', basisPoints: demo.householdShareBps, reason: 'share at registration' },
        ...(demo.householdShareChanges ?? []),
      ];
      for (const step of steps) {
        em.create(HouseholdShare, {
          id: demoId('household-share', `${demo.key}/${step.effectiveFrom}`),
          producer,
          basisPoints: step.basisPoints,
          effectiveFrom: chinaMidnight(step.effectiveFrom),
          reason: step.reason,
          changedBy: null,
        });
        created++;
      }
    }
    const suppliers = demoSupplierHouseholds(demo.key);
    let lotNumber = 0;
    for (const item of demo.products) {
      products++;
      const productId = demoId('product', `${demo.key}/${item.key}`);
      const newProduct = !existingProducts.has(productId);
      const product = newProduct
        ? em.create(Product, {
            id: productId,
            producer,
            nameZh: item.nameZh,
            nameEn: item.nameEn,
            category: item.category,
            unit: item.unit,
            priceFen: item.priceFen,
            currency: 'CNY',
            originVillage: item.originVillage,
            reliefCertification: demoCertificateNumber(products),
            status: 'active',
          })
        : em.getReference(Product, productId);
      created += newProduct ? 1 : 0;
      // The office certified the seeded products in 2020; a database from before certification
      // existed gets their certificates (and the products back on sale) once.
      const certificateId = demoId('certificate', `${demo.key}/${item.key}`);
      if (!existingCertificates.has(certificateId)) {
        em.create(ProductCertificate, {
          id: certificateId,
          number: demoCertificateNumber(products),
          product,
          validFrom: chinaMidnight(DEMO_CERTIFIED_FROM),
          validTo: chinaMidnight(DEMO_CERTIFIED_TO),
          certifiedBy: null,
        });
        if (!newProduct) {
          certifyExisting.push({ productId, number: demoCertificateNumber(products) });
        }
        created++;
      }
      item.lots.forEach((quantity, i) => {
        const lotId = demoLotId(demo.key, item.key, i);
        const lotSuppliers = demoLotSuppliers(suppliers, lotNumber++, quantity);
        if (newProduct) {
          em.create(Lot, {
            id: lotId,
            product,
            lotCode: demoLotCode(item.key, i),
            producedOn: DEMO_LOT_DATES[i % DEMO_LOT_DATES.length],
            quantity,
            onHand: quantity,
          });
          created++;
        } else if (!existingLots.has(lotId) || suppliedLots.has(lotId)) {
          return;
        }
        lotSuppliers.forEach((supplier, position) => {
          em.create(LotSupplier, {
            id: demoId('lot-supplier', `${lotId}/${supplier.householdId}`),
            lot: em.getReference(Lot, lotId),
            ...supplier,
            position,
          });
          created++;
        });
      });
    }
  }
  await em.flush();
  for (const { productId, number } of certifyExisting) {
    await em.nativeUpdate(
      Product,
      { id: productId, status: 'draft' },
      { status: 'active', reliefCertification: number },
    );
  }
  return { producers: producers.length, products, created };
}
