import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createTestDatabase, freePort } from '@yugong/shared/testing';
import * as path from 'node:path';
import { Client } from 'pg';
import { startCatalog, type RunningCatalog } from '../src/catalog.bootstrap';
import { catalogConfig } from '../src/config/catalog.config';

// The client below is built from proto/ alone, as any external gRPC client would be.
const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
const SERVICE_TOKEN = 'test-service-token-0123456789';
const OFFICER = { userId: '00000000-0000-4000-8000-000000000001', role: 'relief_officer', producerIds: [] };
const CONSUMER = { userId: '00000000-0000-4000-8000-000000000002', role: 'consumer', producerIds: [] };

type Unary = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;

describe('catalog over gRPC', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let running: RunningCatalog;
  let client: grpc.Client & Record<string, Unary>;
  let health: grpc.Client & Record<string, Unary>;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('catalog');
    const port = await freePort();
    running = (await startCatalog(
      catalogConfig({
        DATABASE_URL: db.url,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        SERVICE_TOKEN,
        SEED_DEMO: 'true',
        LOG_LEVEL: 'silent',
      }),
    ))!;
    const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'yugong/catalog/v1/catalog.proto'), {
      includeDirs: [PROTO_ROOT],
      longs: Number,
      enums: String,
      defaults: true,
      arrays: true,
      oneofs: true,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const loaded = grpc.loadPackageDefinition(definition) as any;
    client = new loaded.yugong.catalog.v1.CatalogService(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const healthDefinition = protoLoader.loadSync(
      require.resolve('grpc-health-check/proto/health/v1/health.proto'),
      { enums: String },
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const healthPkg = grpc.loadPackageDefinition(healthDefinition) as any;
    health = new healthPkg.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    client?.close();
    health?.close();
    await sql?.end();
    await running?.close();
    await db?.drop();
  });

  function call<T>(
    method: string,
    request: unknown,
    caller?: object | null,
    token = SERVICE_TOKEN,
  ): Promise<T> {
    const metadata = new grpc.Metadata();
    if (token) {
      metadata.set('x-service-token', token);
    }
    if (caller) {
      metadata.set('x-caller', JSON.stringify(caller));
    }
    return new Promise((resolve, reject) =>
      client[method](request, metadata, { deadline: Date.now() + 5_000 }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      ),
    );
  }

  async function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
    try {
      await promise;
    } catch (error) {
      return error as grpc.ServiceError;
    }
    throw new Error('expected the call to fail');
  }

  async function count(table: string): Promise<number> {
    const { rows } = await sql.query(`select count(*)::int as n from ${table}`);
    return rows[0].n;
  }

  const validProducer = {
    kind: 'PRODUCER_KIND_COOPERATIVE',
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

  it('refuses calls without the service credential', async () => {
    const error = await rejection(call('ListProducts', {}, null, ''));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await rejection(call('ListProducts', {}, null, 'wrong-token-wrong-token'));
    expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('lists the seeded demo catalogue to the public, with stock from lots', async () => {
    const res = await call<{
      products: { nameZh: string; stock: number; price: { fen: number } }[];
      page: { total: number };
    }>('ListProducts', { page: { page: 1, pageSize: 100 } });
    expect(res.page.total).toBe(res.products.length);
    expect(res.products.length).toBeGreaterThanOrEqual(20);
    const rabbit = res.products.find((p) => p.nameZh === '冷鲜兔肉')!;
    expect(rabbit.stock).toBe(1000);
    expect(rabbit.price.fen).toBe(6800);
  });

  it('filters by query, category and town', async () => {
    const honey = await call<{ products: { category: string }[] }>('ListProducts', { category: 'honey' });
    expect(honey.products.length).toBe(2);
    const wangwu = await call<{ products: { town: string }[] }>('ListProducts', { town: '王屋镇' });
    expect(wangwu.products.every((p) => p.town === '王屋镇')).toBe(true);
    const byName = await call<{ products: { nameZh: string }[] }>('ListProducts', { query: 'RABBIT' });
    expect(byName.products.map((p) => p.nameZh).sort()).toEqual(
      ['冷鲜兔肉', '手撕兔肉干', '麻辣兔头'].sort(),
    );
    const wildcard = await call<{ products: unknown[] }>('ListProducts', { query: '%' });
    expect(wildcard.products).toHaveLength(0);
  });

  it('registers a producer for an officer only, and refuses a bad credit code writing nothing', async () => {
    const before = await count('producer');
    const denied = await rejection(call('CreateProducer', validProducer, CONSUMER));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const anonymous = await rejection(call('CreateProducer', validProducer, null));
    expect(anonymous.code).toBe(grpc.status.UNAUTHENTICATED);

    const bad = await rejection(
      call('CreateProducer', { ...validProducer, creditCode: '91350100M000100Y44' }, OFFICER),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(JSON.parse(String(bad.metadata.get('x-error-fields')[0]))).toEqual([
      { field: 'creditCode', reason: expect.stringMatching(/check character/) },
    ]);
    const share = await rejection(
      call('CreateProducer', { ...validProducer, householdShareBps: 10_001 }, OFFICER),
    );
    expect(share.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await count('producer')).toBe(before);

    const created = await call<{ producer: { id: string; status: string } }>(
      'CreateProducer',
      validProducer,
      OFFICER,
    );
    expect(created.producer.status).toBe('PRODUCER_STATUS_PENDING');
    const dup = await rejection(call('CreateProducer', validProducer, OFFICER));
    expect(dup.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(await count('producer')).toBe(before + 1);
  });

  it('keeps products of a pending producer out of the public view until verified', async () => {
    const { producer } = await call<{ producer: { id: string } }>(
      'CreateProducer',
      { ...validProducer, creditCode: '91110000802100433B', legalName: '待审核合作社' },
      OFFICER,
    );
    const staff = {
      userId: '00000000-0000-4000-8000-000000000003',
      role: 'producer_staff',
      producerIds: [producer.id],
    };
    const { product } = await call<{ product: { id: string } }>(
      'CreateProduct',
      {
        producerId: producer.id,
        nameZh: '待审核蜂蜜',
        category: 'honey',
        unit: 'jar',
        price: { fen: 3000 },
        status: 'PRODUCT_STATUS_ACTIVE',
      },
      staff,
    );
    const hidden = await rejection(call('GetProduct', { id: product.id }, null));
    expect(hidden.code).toBe(grpc.status.NOT_FOUND);
    const own = await call<{ product: { id: string } }>(
      'GetProduct',
      { id: product.id, includeUnlisted: true },
      staff,
    );
    expect(own.product.id).toBe(product.id);

    await call('SetProducerStatus', { id: producer.id, status: 'PRODUCER_STATUS_VERIFIED' }, OFFICER);
    const visible = await call<{ product: { id: string } }>('GetProduct', { id: product.id }, null);
    expect(visible.product.id).toBe(product.id);

    const illegal = await rejection(
      call('SetProducerStatus', { id: producer.id, status: 'PRODUCER_STATUS_PENDING' }, OFFICER),
    );
    expect(illegal.code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it("refuses a producer's staff touching another producer's product", async () => {
    const { products } = await call<{ products: { id: string; producerId: string; nameZh: string }[] }>(
      'ListProducts',
      {
        query: '冷鲜兔肉',
      },
    );
    const rabbit = products[0];
    const otherStaff = {
      userId: '00000000-0000-4000-8000-000000000004',
      role: 'producer_staff',
      producerIds: ['00000000-0000-4000-8000-0000000000ff'],
    };
    const update = await rejection(call('UpdateProduct', { id: rabbit.id, price: { fen: 1 } }, otherStaff));
    expect(update.code).toBe(grpc.status.PERMISSION_DENIED);
    const lot = await rejection(
      call(
        'CreateLot',
        { productId: rabbit.id, lotCode: 'X-1', producedOn: '2020-05-01', quantity: 5 },
        otherStaff,
      ),
    );
    expect(lot.code).toBe(grpc.status.PERMISSION_DENIED);
    const { rows } = await sql.query('select price_fen from product where id = $1', [rabbit.id]);
    expect(Number(rows[0].price_fen)).toBe(6800);
  });

  it('updates only the fields that are set', async () => {
    const { products } = await call<{ products: { id: string; producerId: string }[] }>('ListProducts', {
      query: '枣花蜜',
    });
    const staff = {
      userId: '00000000-0000-4000-8000-000000000005',
      role: 'producer_staff',
      producerIds: [products[0].producerId],
    };
    const res = await call<{ product: { nameZh: string; nameEn: string; price: { fen: number } } }>(
      'UpdateProduct',
      { id: products[0].id, price: { fen: 4_900 } },
      staff,
    );
    expect(res.product).toMatchObject({
      nameZh: '枣花蜜',
      nameEn: 'Jujube blossom honey',
      price: { fen: 4_900 },
    });
    const negative = await rejection(
      call('UpdateProduct', { id: products[0].id, price: { fen: -1 } }, staff),
    );
    expect(negative.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('adds lots whose stock shows on the product, and refuses duplicates and bad quantities', async () => {
    const { products } = await call<{ products: { id: string; stock: number }[] }>('ListProducts', {
      query: '核桃仁',
    });
    const before = products[0].stock;
    await call(
      'CreateLot',
      { productId: products[0].id, lotCode: 'WK-2020-09', producedOn: '2020-05-10', quantity: 40 },
      OFFICER,
    );
    const dup = await rejection(
      call(
        'CreateLot',
        { productId: products[0].id, lotCode: 'WK-2020-09', producedOn: '2020-05-10', quantity: 40 },
        OFFICER,
      ),
    );
    expect(dup.code).toBe(grpc.status.ALREADY_EXISTS);
    const zero = await rejection(
      call(
        'CreateLot',
        { productId: products[0].id, lotCode: 'WK-2020-10', producedOn: '2020-05-10', quantity: 0 },
        OFFICER,
      ),
    );
    expect(zero.code).toBe(grpc.status.INVALID_ARGUMENT);
    const future = await rejection(
      call(
        'CreateLot',
        { productId: products[0].id, lotCode: 'WK-2020-11', producedOn: '2999-01-01', quantity: 3 },
        OFFICER,
      ),
    );
    expect(JSON.parse(String(future.metadata.get('x-error-fields')[0]))[0].field).toBe('producedOn');
    const after = await call<{ product: { stock: number } }>('GetProduct', { id: products[0].id });
    expect(after.product.stock).toBe(before + 40);
  });

  it('answers NOT_FOUND for unknown ids and INVALID_ARGUMENT for malformed ones', async () => {
    const unknown = await rejection(call('GetProduct', { id: '00000000-0000-4000-8000-00000000dead' }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    const malformed = await rejection(call('GetProduct', { id: 'not-a-uuid' }));
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
    const port = await freePort();
    const second = (await startCatalog(
      catalogConfig({
        DATABASE_URL: db.url,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        SERVICE_TOKEN,
        SEED_DEMO: 'true',
        LOG_LEVEL: 'silent',
      }),
    ))!;
    await second.close();
    expect(await count('product')).toBe(before);
    expect(await count('lot_supplier')).toBe(suppliers);
  });
});
