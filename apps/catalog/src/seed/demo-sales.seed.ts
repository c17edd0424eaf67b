import type { EntityManager } from '@mikro-orm/postgresql';
import { demoSales, type DemoSale } from '@yugong/shared/demo';
import { holdSnapshot, sumByLot } from '../stock/stock-lines.util';
import type { NewHold, StockRepository } from '../stock/stock.repository';

/**
 * Catalog's side of the demo sales of 2020 (`demoSales()`): each order's units taken off the lots
 * the plan names and recorded as committed holds, through the statements checkout and payment
 * use (the products as sold at the order's instant, household share included; on_hand moved by
 * the conditional update; the holds inserted). Orders seeds the orders themselves from the same
 * plan. Idempotent per order: an order with holds is left alone. All or nothing: when a lot lacks
 * the units (its stock was changed by hand) or a product is no longer sold on the plan's terms,
 * nothing is written and the reason is returned.
 */
export async function seedDemoSales(
  em: EntityManager,
  stock: StockRepository,
): Promise<{ orders: number; created: number; skipped?: string }> {
  const sales = demoSales();
  return em
    .transactional(async (tx) => {
      const done = await stock.ordersWithHolds(
        tx,
        sales.map((s) => s.id),
      );
      const due = sales.filter((s) => !done.has(s.id));
      if (due.length === 0) {
        return { orders: sales.length, created: 0 };
      }
      const holds: NewHold[] = [];
      for (const sale of due) {
        const made = await holdsOf(tx, stock, sale);
        if (typeof made === 'string') {
          return { orders: sales.length, created: 0, skipped: made };
        }
        holds.push(...made);
      }
      const taken = sumByLot(holds, -1);
      await stock.lockLots(tx, [...taken.keys()]);
      if ((await stock.adjustOnHand(tx, taken)) !== taken.size) {
        // Roll back: a hand-changed lot lacks units the plan sold from it.
        throw new DemoStockShort();
      }
      await stock.insertHolds(tx, holds, 'committed');
      return { orders: sales.length, created: holds.length };
    })
    .catch((error: unknown) => {
      if (error instanceof DemoStockShort) {
        return { orders: sales.length, created: 0, skipped: error.message };
      }
      throw error;
    });
}

class DemoStockShort extends Error {
  constructor() {
    super('a demo lot has fewer units than the demo sales took from it');
  }
}

/** The committed holds of one demo order, or why they cannot be written. */
async function holdsOf(
  tx: EntityManager,
  stock: StockRepository,
  sale: DemoSale,
): Promise<NewHold[] | string> {
  const products = await stock.saleableProducts(
    tx,
    sale.lines.map((l) => l.productId),
    sale.createdAt,
  );
  const holds: NewHold[] = [];
  for (const line of sale.lines) {
    const product = products.get(line.productId);
    if (
      !product ||
      product.priceFen !== line.unitPriceFen ||
      product.householdShareBps !== line.householdShareBps
    ) {
      return `demo product ${line.productId} is not sold on the terms of demo order ${sale.id}`;
    }
    for (const allocation of line.allocations) {
      holds.push({
        orderId: sale.id,
        productId: line.productId,
        lotId: allocation.lotId,
        quantity: allocation.quantity,
        expiresAt: sale.paidAt,
        snapshot: holdSnapshot(product, allocation.lotCode),
      });
    }
  }
  return holds;
}
