import { DEMO_LOT_DATES, demoId } from './demo-region';
import { demoProducers, demoRegister } from './demo-register';
import { chinaMidnight, demoLotId, demoSales, demoShareAt } from './demo-sales';

describe(demoSales.name, () => {
  const sut = demoSales();
  const producers = demoProducers();
  const lots = new Map(
    producers.flatMap((p) =>
      p.products.flatMap((item) =>
        item.lots.map((quantity, i) => [
          demoLotId(p.key, item.key, i),
          { quantity, producedAt: chinaMidnight(DEMO_LOT_DATES[i % DEMO_LOT_DATES.length]) },
        ]),
      ),
    ),
  );

  it('places a few hundred orders, all in 2020, oldest first, with unique ids and keys', () => {
    expect(sut.length).toBeGreaterThanOrEqual(300);
    expect(new Set(sut.map((s) => s.id)).size).toBe(sut.length);
    expect(new Set(sut.map((s) => `${s.buyerId} ${s.idempotencyKey}`)).size).toBe(sut.length);
    expect(new Set(sut.map((s) => s.paymentReference)).size).toBe(sut.length);
    const start = chinaMidnight('2020-01-01').getTime();
    const end = chinaMidnight('2021-01-01').getTime();
    for (let i = 0; i < sut.length; i++) {
      const sale = sut[i];
      expect(sale.createdAt.getTime()).toBeGreaterThanOrEqual(i > 0 ? sut[i - 1].createdAt.getTime() : start);
      expect(sale.paidAt.getTime()).toBeGreaterThan(sale.createdAt.getTime());
      expect(sale.paidAt.getTime()).toBeLessThan(end);
    }
  });

  it('takes units only from lots produced by the order, never more than four fifths of a lot', () => {
    const sold = new Map<string, number>();
    for (const sale of sut) {
      for (const line of sale.lines) {
        expect(line.allocations.reduce((n, a) => n + a.quantity, 0)).toBe(line.quantity);
        for (const a of line.allocations) {
          expect(lots.get(a.lotId)!.producedAt.getTime()).toBeLessThanOrEqual(sale.createdAt.getTime());
          sold.set(a.lotId, (sold.get(a.lotId) ?? 0) + a.quantity);
        }
      }
    }
    for (const [lotId, units] of sold) {
      expect(units).toBeLessThanOrEqual(Math.floor(lots.get(lotId)!.quantity * 0.8));
    }
  });

  it("sells each line at its product's price and the producer's share in force at checkout", () => {
    const byId = new Map(producers.map((p) => [demoId('producer', p.key), p]));
    for (const sale of sut) {
      for (const line of sale.lines) {
        const producer = byId.get(line.producerId)!;
        const product = producer.products.find(
          (p) => demoId('product', `${producer.key}/${p.key}`) === line.productId,
        )!;
        expect([line.unitPriceFen, line.householdShareBps]).toEqual([
          product.priceFen,
          demoShareAt(producer, sale.createdAt),
        ]);
      }
    }
  });

  it('refunds part of a delivered order, never more units than the line sold', () => {
    const refunded = sut.filter((s) => s.refunds.length > 0);
    expect(refunded.length).toBeGreaterThanOrEqual(3);
    for (const sale of refunded) {
      for (const refund of sale.refunds) {
        expect(refund.quantity).toBeGreaterThan(0);
        expect(refund.quantity).toBeLessThanOrEqual(sale.lines[refund.lineIndex].quantity);
        expect(refund.at.getTime()).toBeGreaterThan(sale.deliveredAt!.getTime());
      }
      const units = sale.lines.reduce((n, l) => n + l.quantity, 0);
      expect(sale.refunds.reduce((n, r) => n + r.quantity, 0)).toBeLessThan(units);
    }
  });

  it('spans 50 cooperatives and the three leading enterprises, village-run ones linked in their village', () => {
    expect(producers.filter((p) => p.kind === 'cooperative')).toHaveLength(50);
    expect(producers.filter((p) => p.kind === 'leading_enterprise')).toHaveLength(3);
    const register = demoRegister();
    for (const coop of producers.filter((p) => p.villageRun)) {
      const village = register.villages.find((v) => v.nameZh === coop.village)!;
      const agreements = register.agreements.filter((a) => a.producerKey === coop.key);
      expect(agreements.length).toBeGreaterThan(0);
      expect(agreements.some((a) => a.villageId === village.id)).toBe(true);
    }
    expect(new Set(producers.map((p) => p.legalName)).size).toBe(producers.length);
    expect(producers.every((p) => p.village && !p.legalName.includes('{'))).toBe(true);
  });
});
