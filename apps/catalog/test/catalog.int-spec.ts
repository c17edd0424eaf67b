import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { catalog } from '@yugong/contracts';
import { demoId, demoProducers, demoSales } from '@yugong/shared/demo';
import { expectRejection, type Sent } from '@yugong/shared/testing';
import { Client } from 'pg';
import {
  bootCatalog,
  certify,
  CONSUMER,
  OFFICER,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

type Unary = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;

describe('catalog over gRPC', () => {
  let running: TestCatalog;
  let health: grpc.Client & Record<string, Unary>;
  let sql: Client;

  beforeAll(async () => {
    running = await startTestCatalog('catalog', { SEED_DEMO: 'true' });
    sql = running.sql;
    const healthDefinition = protoLoader.loadSync(
      require.resolve('grpc-health-check/proto/health/v1/health.proto'),
      { enums: String },
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const healthPkg = grpc.loadPackageDefinition(healthDefinition) as any;
    health = new healthPkg.grpc.health.v1.Health(running.address, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    health?.close();
    await running?.close();
  });

  const call: BootedCatalog['client']['call'] = (method, request, caller, options) =>
    running.client.call(method, request, caller, { deadlineMs: 5_000, ...options });

  async function count(table: string): Promise<number> {
    const { rows } = await sql.query(`select count(*)::int as n from ${table}`);
    return rows[0].n;
  }

  const validProducer: Sent<catalog.CreateProducerRequest> = {
    kind: catalog.ProducerKind.PRODUCER_KIND_COOPERATIVE,
    legalName: '济源市测试蜂业专业合作社',
    creditCode: '91350100M000100Y43',
    town: '王屋镇',
    village: '谭庄村',
    householdShareBps: 1500,
  };

  it('reports SERVING on the standard health service', async () => {
    const res = await new Promise<{ status: string }>((resolve, reject) =>
      health.Check({ service: '' }, new grpc.Metadata(), { deadline: Date.now() + 2_000 }, (err, r) =>
        err ? reject(err) : resolve(r as { status: string }),
      ),
    );
    expect(res.status).toBe('SERVING');
  });

  it('refuses calls without a signed assertion, or with one that is not ours', async () => {
    const error = await expectRejection(call('listProducts', {}, null, { assertion: '' }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await expectRejection(call('listProducts', {}, null, { assertion: 'wrong.token.wrong' }));
    expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('lists the seeded demo catalogue to the public, with stock from lots', async () => {
    const res = await call('listProducts', { page: { page: 1, pageSize: 100 } });
    expect(res.page.total).toBe(res.products.length);
    expect(res.products.length).toBeGreaterThanOrEqual(20);
    const rabbit = res.products.find((p) => p.nameZh === '冷鲜兔肉')!;
    // Two lots of 400 and 600, less what the demo sales of 2020 took.
    const sold = demoSales()
      .flatMap((s) => s.lines)
      .filter((l) => l.productId === rabbit.id)
      .reduce((sum, l) => sum + l.quantity, 0);
    expect(sold).toBeGreaterThan(0);
    expect(rabbit.stock).toBe(1000 - sold);
    expect(rabbit.price.fen).toBe(6800);
  });

  it('filters by query, category and town', async () => {
    const honey = await call('listProducts', { category: 'honey', page: { page: 1, pageSize: 100 } });
    const demoHoney = demoProducers().flatMap((p) => p.products.filter((x) => x.category === 'honey'));
    expect(honey.products.map((p) => p.nameZh).sort()).toEqual(demoHoney.map((p) => p.nameZh).sort());
    const wangwu = await call('listProducts', { town: '王屋镇' });
    expect(wangwu.products.every((p) => p.town === '王屋镇')).toBe(true);
    const byName = await call('listProducts', { query: 'RABBIT', page: { page: 1, pageSize: 100 } });
    const demoRabbit = demoProducers().flatMap((p) =>
      p.products.filter((x) => /rabbit/i.test(x.nameEn)).map((x) => x.nameZh),
    );
    expect(demoRabbit).toEqual(expect.arrayContaining(['冷鲜兔肉', '手撕兔肉干', '麻辣兔头', '鲜兔肉']));
    expect(byName.products.map((p) => p.nameZh).sort()).toEqual(demoRabbit.sort());
    const wildcard = await call('listProducts', { query: '%' });
    expect(wildcard.products).toHaveLength(0);
  });

  it('registers a producer for an officer only, and refuses a bad credit code writing nothing', async () => {
    const before = await count('producer');
    const denied = await expectRejection(call('createProducer', validProducer, CONSUMER));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const anonymous = await expectRejection(call('createProducer', validProducer, null));
    expect(anonymous.code).toBe(grpc.status.UNAUTHENTICATED);

    const bad = await expectRejection(
      call('createProducer', { ...validProducer, creditCode: '91350100M000100Y44' }, OFFICER),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(JSON.parse(String(bad.metadata.get('x-error-fields')[0]))).toEqual([
      { field: 'creditCode', reason: expect.stringMatching(/check character/) },
    ]);
    const share = await expectRejection(
      call('createProducer', { ...validProducer, householdShareBps: 10_001 }, OFFICER),
    );
    expect(share.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await count('producer')).toBe(before);

    const created = await call('createProducer', validProducer, OFFICER);
    expect(created.producer.status).toBe('PRODUCER_STATUS_PENDING');
    const dup = await expectRejection(call('createProducer', validProducer, OFFICER));
    expect(dup.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(await count('producer')).toBe(before + 1);
  });

  it('keeps products of a pending producer out of the public view until verified', async () => {
    const { producer } = await call(
      'createProducer',
      { ...validProducer, creditCode: '91110000802100433B', legalName: '待审核合作社' },
      OFFICER,
    );
    const staff = {
      userId: '00000000-0000-4000-8000-000000000003',
      role: 'producer_staff',
      producerIds: [producer.id],
    };
    const { product } = await call(
      'createProduct',
      {
        producerId: producer.id,
        nameZh: '待审核蜂蜜',
        category: 'honey',
        unit: 'jar',
        price: { fen: 3000 },
      },
      staff,
    );
    const hidden = await expectRejection(call('getProduct', { id: product.id }, null));
    expect(hidden.code).toBe(grpc.status.NOT_FOUND);
    const own = await call('getProduct', { id: product.id, includeUnlisted: true }, staff);
    expect(own.product.id).toBe(product.id);

    await call(
      'setProducerStatus',
      { id: producer.id, status: catalog.ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
    await certify(running.client, product.id);
    const visible = await call('getProduct', { id: product.id }, null);
    expect(visible.product.id).toBe(product.id);

    const illegal = await expectRejection(
      call(
        'setProducerStatus',
        { id: producer.id, status: catalog.ProducerStatus.PRODUCER_STATUS_PENDING },
        OFFICER,
      ),
    );
    expect(illegal.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("refuses a producer's staff touching another producer's product", async () => {
    const { products } = await call('listProducts', {
      query: '冷鲜兔肉',
    });
    const rabbit = products[0];
    const otherStaff = {
      userId: '00000000-0000-4000-8000-000000000004',
      role: 'producer_staff',
      producerIds: ['00000000-0000-4000-8000-0000000000ff'],
    };
    const update = await expectRejection(
      call('updateProduct', { id: rabbit.id, price: { fen: 1 } }, otherStaff),
    );
    expect(update.code).toBe(grpc.status.PERMISSION_DENIED);
    const lot = await expectRejection(
      call(
        'createLot',
        { productId: rabbit.id, lotCode: 'X-1', producedOn: '2020-05-01', quantity: 5 },
        otherStaff,
      ),
    );
    expect(lot.code).toBe(grpc.status.PERMISSION_DENIED);
    const { rows } = await sql.query('select price_fen from product where id = $1', [rabbit.id]);
    expect(Number(rows[0].price_fen)).toBe(6800);
  });

  it('updates only the fields that are set', async () => {
    const { products } = await call('listProducts', {
      query: '枣花蜜',
    });
    const staff = {
      userId: '00000000-0000-4000-8000-000000000005',
      role: 'producer_staff',
      producerIds: [products[0].producerId],
    };
    const res = await call('updateProduct', { id: products[0].id, price: { fen: 4_900 } }, staff);
    expect(res.product).toMatchObject({
      nameZh: '枣花蜜',
      nameEn: 'Jujube blossom honey',
      price: { fen: 4_900 },
    });
    const negative = await expectRejection(
      call('updateProduct', { id: products[0].id, price: { fen: -1 } }, staff),
    );
    expect(negative.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('adds lots whose stock shows on the product, and refuses duplicates and bad quantities', async () => {
    const { products } = await call('listProducts', {
      query: '核桃仁',
    });
    const before = products[0].stock;
    await call(
      'createLot',
      { productId: products[0].id, lotCode: 'WK-2020-09', producedOn: '2020-05-10', quantity: 40 },
      OFFICER,
    );
    const dup = await expectRejection(
      call(
        'createLot',
        { productId: products[0].id, lotCode: 'WK-2020-09', producedOn: '2020-05-10', quantity: 40 },
        OFFICER,
      ),
    );
    expect(dup.code).toBe(grpc.status.ALREADY_EXISTS);
    const zero = await expectRejection(
      call(
        'createLot',
        { productId: products[0].id, lotCode: 'WK-2020-10', producedOn: '2020-05-10', quantity: 0 },
        OFFICER,
      ),
    );
    expect(zero.code).toBe(grpc.status.INVALID_ARGUMENT);
    const future = await expectRejection(
      call(
        'createLot',
        { productId: products[0].id, lotCode: 'WK-2020-11', producedOn: '2999-01-01', quantity: 3 },
        OFFICER,
      ),
    );
    expect(JSON.parse(String(future.metadata.get('x-error-fields')[0]))[0].field).toBe('producedOn');
    const after = await call('getProduct', { id: products[0].id });
    expect(after.product.stock).toBe(before + 40);
  });

  it('answers NOT_FOUND for unknown ids and INVALID_ARGUMENT for malformed ones', async () => {
    const unknown = await expectRejection(call('getProduct', { id: '00000000-0000-4000-8000-00000000dead' }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    const malformed = await expectRejection(call('getProduct', { id: 'not-a-uuid' }));
    expect(malformed.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('holds stock invariants in the database itself', async () => {
    await expect(
      sql.query('update lot set on_hand = -1 where ctid = (select ctid from lot limit 1)'),
    ).rejects.toThrow(/lot_on_hand_in_range/);
    await expect(
      sql.query('update lot set on_hand = quantity + 1 where ctid = (select ctid from lot limit 1)'),
    ).rejects.toThrow(/lot_on_hand_in_range/);
    await expect(
      sql.query('update product set price_fen = 0 where ctid = (select ctid from product limit 1)'),
    ).rejects.toThrow(/product_price_positive/);
  });

  it('seeds idempotently: a second boot adds nothing, and restores missing supplier records', async () => {
    const before = await count('product');
    const suppliers = await count('lot_supplier');
    expect(suppliers).toBeGreaterThan(0);
    // A seeded lot without its supplier records (a database seeded before they existed) gets them.
    await sql.query(
      `delete from lot_supplier where lot_id = (select lot_id from lot_supplier order by lot_id limit 1)`,
    );
    const holds = await count('stock_hold');
    const shares = await count('household_share');
    const second = await bootCatalog(running.url, { SEED_DEMO: 'true' });
    await second.close();
    expect(await count('product')).toBe(before);
    expect(await count('lot_supplier')).toBe(suppliers);
    expect(await count('stock_hold')).toBe(holds);
    expect(await count('household_share')).toBe(shares);
  });

  it('seeds 50 cooperatives besides the three leading enterprises, each with its share history', async () => {
    const { rows } = await sql.query<{ kind: string; n: number }>(
      `select kind, count(*)::int as n from producer where id = any($1) group by kind order by kind`,
      [demoProducers().map((p) => demoId('producer', p.key))],
    );
    expect(rows).toEqual([
      { kind: 'cooperative', n: 50 },
      { kind: 'leading_enterprise', n: 3 },
    ]);
    const history = await call('getProducer', { id: demoId('producer', 'yangguang') }, OFFICER);
    expect(history.producer.householdShareHistory.map((s) => [s.fromBasisPoints, s.basisPoints])).toEqual([
      [undefined, 800],
      [800, 1000],
    ]);
    expect(history.producer.householdShareBps).toBe(1000);
  });

  it('records the demo sales of 2020 as committed holds on the terms of their day, lots down by what they sold', async () => {
    const sales = demoSales();
    expect(sales.length).toBeGreaterThanOrEqual(200);
    const { rows: holds } = await sql.query<{
      order_id: string;
      product_id: string;
      lot_id: string;
      quantity: string;
      status: string;
      price: number;
      share: number;
    }>(
      `select order_id, product_id, lot_id, quantity, status, (snapshot->>'unitPriceFen')::int as price,
              (snapshot->>'householdShareBps')::int as share
         from stock_hold`,
    );
    expect(new Set(holds.map((h) => h.order_id)).size).toBe(sales.length);
    expect(holds.every((h) => h.status === 'committed')).toBe(true);
    const seen = holds.map(
      (h) => `${h.order_id} ${h.product_id} ${h.lot_id} ${h.quantity} ${h.price} ${h.share}`,
    );
    const planned = sales.flatMap((s) =>
      s.lines.flatMap((l) =>
        l.allocations.map(
          (a) => `${s.id} ${l.productId} ${a.lotId} ${a.quantity} ${l.unitPriceFen} ${l.householdShareBps}`,
        ),
      ),
    );
    expect(seen.sort()).toEqual(planned.sort());
    // 阳光兔业's share rose from 800 to 1000 on 2020-07-01: lines keep the share of their day.
    const yangguang = sales.flatMap((s) =>
      s.lines
        .filter((l) => l.producerId === demoId('producer', 'yangguang'))
        .map((l) => [s.createdAt < new Date('2020-07-01T00:00:00+08:00'), l.householdShareBps]),
    );
    expect(new Set(yangguang.map(([before, share]) => `${before} ${share}`))).toEqual(
      new Set(['true 800', 'false 1000']),
    );
    const { rows: lots } = await sql.query<{ id: string; quantity: string; on_hand: string; sold: string }>(
      `select l.id, l.quantity, l.on_hand, coalesce(sum(h.quantity), 0) as sold
         from lot l left join stock_hold h on h.lot_id = l.id group by l.id`,
    );
    expect(lots.filter((l) => Number(l.on_hand) !== Number(l.quantity) - Number(l.sold))).toEqual([]);
    expect(lots.filter((l) => Number(l.sold) > 0).length).toBeGreaterThan(50);
  });

  it('certifies the seeded products, also those of a database seeded before certification', async () => {
    const seeded = demoProducers().flatMap((p) =>
      p.products.map((x) => demoId('product', `${p.key}/${x.key}`)),
    );
    const certified = async () =>
      (
        await sql.query<{ id: string; number: string; status: string; relief_certification: string }>(
          `select p.id, c.number, p.status, p.relief_certification from product p
             join product_certificate c on c.product_id = p.id and c.status = 'valid'
            where p.id = any($1)`,
          [seeded],
        )
      ).rows;
    const before = await certified();
    expect(before).toHaveLength(seeded.length);
    expect(before.every((r) => r.status === 'active' && r.relief_certification === r.number)).toBe(true);
    expect(new Set(before.map((r) => r.number)).size).toBe(seeded.length);

    // As the migration leaves a database seeded before certification existed.
    await sql.query(`delete from product_certificate where product_id = any($1)`, [seeded]);
    await sql.query(`update product set status = 'draft', relief_certification = '' where id = any($1)`, [
      seeded,
    ]);
    expect(await certified()).toEqual([]);
    const again = await bootCatalog(running.url, { SEED_DEMO: 'true' });
    await again.close();
    const after = await certified();
    expect(after.map((r) => [r.id, r.number, r.status]).sort()).toEqual(
      before.map((r) => [r.id, r.number, r.status]).sort(),
    );
  });
});
