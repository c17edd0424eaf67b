import { demoProducers } from '@yugong/shared/demo';
import { testRedisUrl } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';
import type { LotJson, ProductJson } from './support/views';

describe('catalogue through the gateway', () => {
  let platform: Platform;
  let catalogSql: Client;
  const auth = (who: DemoAccount) => signIn(platform, who);

  async function count(table: string): Promise<number> {
    const { rows } = await catalogSql.query(`select count(*)::int as n from ${table}`);
    return rows[0].n;
  }

  async function productNamed(nameZh: string) {
    const res = await request(platform.http).get('/api/v1/products').query({ q: nameZh }).expect(200);
    return res.body.items[0] as ProductJson;
  }

  beforeAll(async () => {
    platform = await startPlatform('catalog_e2e');
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await catalogSql.connect();
  });

  afterAll(async () => {
    await catalogSql?.end();
    await platform?.stop();
  });

  describe('public listing', () => {
    it('serves the seeded Jiyuan catalogue with paging', async () => {
      const res = await request(platform.http).get('/api/v1/products').query({ pageSize: 5 }).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toMatchObject({ page: 1, pageSize: 5 });
      expect(res.body.items).toHaveLength(5);
      expect(res.body.total).toBeGreaterThanOrEqual(20);
      const all = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
      const producers = new Set(all.body.items.map((p: { producerName: string }) => p.producerName));
      // The three leading enterprises and 50 cooperatives, all selling.
      expect(producers).toEqual(expect.objectContaining({ size: demoProducers().length }));
      expect(producers.size).toBe(53);
      expect([...producers]).toEqual(
        expect.arrayContaining([
          '济源市阳光兔业科技有限公司',
          '济源市瑞星牧业有限公司',
          '济源市丰之源农业发展有限公司',
        ]),
      );
    });

    it('filters by town and category and shows a product by id', async () => {
      const res = await request(platform.http)
        .get('/api/v1/products')
        .query({ town: '王屋镇', category: 'honey' })
        .expect(200);
      const wangwuHoney = demoProducers()
        .filter((p) => p.town === '王屋镇')
        .flatMap((p) => p.products.filter((x) => x.category === 'honey').map((x) => x.nameZh));
      expect(wangwuHoney).toEqual(expect.arrayContaining(['太行山土蜂蜜', '枣花蜜']));
      expect(res.body.items.map((p: { nameZh: string }) => p.nameZh).sort()).toEqual(wangwuHoney.sort());
      const one = await request(platform.http).get(`/api/v1/products/${res.body.items[0].id}`).expect(200);
      expect(one.body).toMatchObject({
        id: res.body.items[0].id,
        town: '王屋镇',
        price: { currency: 'CNY' },
      });
      expect(one.body.price.display).toMatch(/^¥\d+\.\d\d$/);
    });

    it('answers a repeated read with the same bytes and the same security headers', async () => {
      const first = await request(platform.http)
        .get('/api/v1/products?category=grain&pageSize=3')
        .expect(200);
      const second = await request(platform.http)
        .get('/api/v1/products?category=grain&pageSize=3')
        .expect(200);
      expect(second.text).toBe(first.text);
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers['x-content-type-options']).toBe('nosniff');
      expect(second.headers['x-request-id']).toBeDefined();
    });

    it('answers 404 for an unknown id and 400 naming a malformed one', async () => {
      const unknown = await request(platform.http)
        .get('/api/v1/products/00000000-0000-4000-8000-00000000dead')
        .expect(404);
      expect(unknown.body.error).toBe('PRODUCT_NOT_FOUND');
      const malformed = await request(platform.http).get('/api/v1/products/nope').expect(400);
      expect(malformed.body.fields).toEqual([{ field: 'id', reason: 'must be a UUID' }]);
    });

    it('refuses unknown and ill-typed query parameters, naming them', async () => {
      const unknown = await request(platform.http)
        .get('/api/v1/products')
        .query({ colour: 'red' })
        .expect(400);
      expect(unknown.body.fields).toEqual([{ field: 'colour', reason: expect.any(String) }]);
      const big = await request(platform.http).get('/api/v1/products').query({ pageSize: 1000 }).expect(400);
      expect(big.body.fields[0].field).toBe('pageSize');
      const fractional = await request(platform.http)
        .get('/api/v1/products')
        .query({ page: 1.5 })
        .expect(400);
      expect(fractional.body.fields[0].field).toBe('page');
    });
  });

  describe('identity', () => {
    it('registers a consumer, logs in and shows /me', async () => {
      const reg = await request(platform.http)
        .post('/api/v1/auth/register')
        .send({ email: 'Wang.Fang@Example.com', password: 'a-long-password-1', name: '王芳' })
        .expect(202);
      expect(reg.body).toMatchObject({ email: 'wang.fang@example.com' });
      expect(reg.body.passwordHash).toBeUndefined();
      // A second sign-up with the email answers alike (security-sessions covers what it leaves).
      const dup = await request(platform.http)
        .post('/api/v1/auth/register')
        .send({ email: 'wang.fang@example.com', password: 'a-long-password-1', name: '王芳' })
        .expect(202);
      expect(dup.body).toEqual(reg.body);
      const token = (
        await request(platform.http)
          .post('/api/v1/auth/login')
          .send({ email: 'wang.fang@example.com', password: 'a-long-password-1' })
          .expect(200)
      ).body.accessToken;
      const me = await request(platform.http)
        .get('/api/v1/me')
        .set('authorization', `Bearer ${token}`)
        .expect(200);
      expect(me.body).toMatchObject({ name: '王芳', role: 'consumer' });
    });

    it('refuses a wrong password, a missing token and a forged one', async () => {
      await request(platform.http)
        .post('/api/v1/auth/login')
        .send({ email: 'consumer@example.com', password: 'wrong-password!' })
        .expect(401);
      await request(platform.http).get('/api/v1/me').expect(401);
      await request(platform.http).get('/api/v1/me').set('authorization', 'Bearer abc.def.ghi').expect(401);
    });

    it('seeds the demo accounts with their roles and producer scopes', async () => {
      for (const [who, role] of [
        ['admin', 'admin'],
        ['officer', 'relief_officer'],
        ['auditor', 'auditor'],
        ['consumer', 'consumer'],
        ['institution', 'institution'],
        ['staff', 'producer_staff'],
        ['otherStaff', 'producer_staff'],
        ['thirdStaff', 'producer_staff'],
      ] as const) {
        const me = await request(platform.http)
          .get('/api/v1/me')
          .set(await auth(who))
          .expect(200);
        expect(me.body.role).toBe(role);
      }
      const rabbit = await productNamed('冷鲜兔肉');
      const staff = await request(platform.http)
        .get('/api/v1/me')
        .set(await auth('staff'))
        .expect(200);
      expect(staff.body.producerIds).toEqual([rabbit.producerId]);
    });

    it('lets an officer create a staff account scoped to an existing producer only', async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const account = {
        email: 'new.staff@example.com',
        password: 'a-long-password-2',
        name: '兔业员工',
        role: 'producer_staff',
      };
      await request(platform.http)
        .post('/api/v1/users')
        .set(await auth('officer'))
        .send({ ...account, producerIds: [rabbit.producerId] })
        .expect(201);
      const missing = await request(platform.http)
        .post('/api/v1/users')
        .set(await auth('officer'))
        .send({ ...account, email: 'x@example.com', producerIds: ['00000000-0000-4000-8000-0000000000aa'] })
        .expect(400);
      expect(missing.body.fields[0].field).toBe('producerIds');
      await request(platform.http)
        .post('/api/v1/users')
        .set(await auth('officer'))
        .send({ ...account, email: 'y@example.com', role: 'admin' })
        .expect(403);
      await request(platform.http)
        .post('/api/v1/users')
        .set(await auth('consumer'))
        .send({ ...account, email: 'z@example.com', producerIds: [rabbit.producerId] })
        .expect(403);
    });
  });

  describe('producers and products', () => {
    const producer = {
      kind: 'cooperative',
      legalName: '济源市王屋镇测试合作社',
      creditCode: '91350100M000100Y43',
      town: '王屋镇',
      village: '谭庄村',
      householdShareBps: 1200,
    };

    it('lets an officer register and verify a producer; refuses a bad credit code writing nothing', async () => {
      const before = await count('producer');
      const bad = await request(platform.http)
        .post('/api/v1/producers')
        .set(await auth('officer'))
        .send({ ...producer, creditCode: '91350100M000100Y44' })
        .expect(400);
      expect(bad.body).toMatchObject({
        error: 'VALIDATION_FAILED',
        fields: [{ field: 'creditCode', reason: expect.stringMatching(/check/) }],
      });
      await request(platform.http)
        .post('/api/v1/producers')
        .set(await auth('consumer'))
        .send(producer)
        .expect(403);
      await request(platform.http).post('/api/v1/producers').send(producer).expect(401);
      expect(await count('producer')).toBe(before);

      const created = await request(platform.http)
        .post('/api/v1/producers')
        .set(await auth('officer'))
        .send(producer)
        .expect(201);
      expect(created.body).toMatchObject({ status: 'pending', kind: 'cooperative' });
      const verified = await request(platform.http)
        .patch(`/api/v1/producers/${created.body.id}/status`)
        .set(await auth('officer'))
        .send({ status: 'verified' })
        .expect(200);
      expect(verified.body.status).toBe('verified');
      const illegal = await request(platform.http)
        .patch(`/api/v1/producers/${created.body.id}/status`)
        .set(await auth('officer'))
        .send({ status: 'pending' })
        .expect(409);
      expect(illegal.body.error).toBe('ILLEGAL_PRODUCER_TRANSITION');
    });

    it('refuses unknown fields, wrong types and negative or fractional prices, writing nothing', async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const headers = await auth('staff');
      const before = await count('product');
      const body = { nameZh: '新品兔肉', category: 'meat', unit: 'kg', priceFen: 5000 };
      const cases: [object, string][] = [
        [{ ...body, priceFen: -1 }, 'priceFen'],
        [{ ...body, priceFen: 12.5 }, 'priceFen'],
        [{ ...body, priceFen: '5000' }, 'priceFen'],
        [{ ...body, isAdmin: true }, 'isAdmin'],
        [{ ...body, nameZh: 42 }, 'nameZh'],
        [{ ...body, category: 'weapons' }, 'category'],
      ];
      for (const [payload, field] of cases) {
        const res = await request(platform.http)
          .post(`/api/v1/producers/${rabbit.producerId}/products`)
          .set(headers)
          .send(payload)
          .expect(400);
        expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
      }
      expect(await count('product')).toBe(before);
    });

    it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const huge = {
        nameZh: 'x'.repeat(100),
        category: 'meat',
        unit: 'kg',
        priceFen: 1,
        nameEn: 'y'.repeat(200_000),
      };
      const res = await request(platform.http)
        .post(`/api/v1/producers/${rabbit.producerId}/products`)
        .set(await auth('staff'))
        .send(huge)
        .expect(413);
      expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
      await request(platform.http)
        .post(`/api/v1/producers/${rabbit.producerId}/products`)
        .set(await auth('staff'))
        .set('content-type', 'application/json')
        .send('{"nameZh": ')
        .expect(400);
    });

    it("lets staff manage their own products and lots but not another producer's", async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const goat = await productNamed('太行黑山羊肉');
      const yangguang = await auth('staff');

      await request(platform.http)
        .patch(`/api/v1/products/${goat.id}`)
        .set(yangguang)
        .send({ priceFen: 1 })
        .expect(403);
      await request(platform.http)
        .post(`/api/v1/producers/${goat.producerId}/products`)
        .set(yangguang)
        .send({ nameZh: '冒名产品', category: 'meat', unit: 'kg', priceFen: 100 })
        .expect(403);
      await request(platform.http)
        .post(`/api/v1/products/${goat.id}/lots`)
        .set(yangguang)
        .send({ lotCode: 'FAKE-1', producedOn: '2020-05-01', quantity: 10 })
        .expect(403);
      expect((await productNamed('太行黑山羊肉')).price.fen).toBe(9_800);

      const updated = await request(platform.http)
        .patch(`/api/v1/products/${rabbit.id}`)
        .set(yangguang)
        .send({ priceFen: 7_200 })
        .expect(200);
      expect(updated.body.price.fen).toBe(7_200);
      // The public listing is cached; the change shows at once because catalog invalidated it.
      expect((await productNamed('冷鲜兔肉')).price.fen).toBe(7_200);

      await request(platform.http)
        .post(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .send({ lotCode: 'RABBIT-CHILLED-2020-03', producedOn: '2020-05-12', quantity: 120 })
        .expect(201);
      expect((await productNamed('冷鲜兔肉')).stock).toBe(rabbit.stock + 120);
      const lots = await request(platform.http)
        .get(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .expect(200);
      expect(lots.body.items).toHaveLength(3);
      await request(platform.http)
        .get(`/api/v1/products/${rabbit.id}/lots`)
        .set(await auth('otherStaff'))
        .expect(404);
    });

    it('lists the supplier households of seeded lots, and refuses malformed suppliers writing nothing', async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const yangguang = await auth('staff');
      const lots = await request(platform.http)
        .get(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .expect(200);
      const seeded = (lots.body.items as LotJson[]).find((l) => l.lotCode === 'RABBIT-CHILLED-2020-01')!;
      expect(seeded.suppliers.length).toBeGreaterThan(0);
      expect(seeded.suppliers[0]).toEqual({ householdId: expect.any(String), quantity: expect.any(Number) });
      expect(seeded.suppliers.reduce((sum, s) => sum + s.quantity, 0)).toBeLessThanOrEqual(seeded.quantity);

      const [{ householdId }] = seeded.suppliers;
      const lot = { lotCode: 'RABBIT-BAD-1', producedOn: '2020-06-01', quantity: 10 };
      const before = { lots: await count('lot'), suppliers: await count('lot_supplier') };
      const unknown = await request(platform.http)
        .post(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .send({ ...lot, suppliers: [{ householdId, quantity: 5, name: '王*波' }] })
        .expect(400);
      expect(unknown.body.fields).toEqual([{ field: 'suppliers.0.name', reason: 'is not allowed' }]);
      const shapes = await request(platform.http)
        .post(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .send({ ...lot, suppliers: [{ householdId: 'nope', quantity: 5 }, { householdId }] })
        .expect(400);
      // One entry per failed constraint: a missing quantity fails several.
      expect([...new Set(shapes.body.fields.map((f: { field: string }) => f.field))].sort()).toEqual([
        'suppliers.0.householdId',
        'suppliers.1.quantity',
      ]);
      const notArray = await request(platform.http)
        .post(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .send({ ...lot, suppliers: 'everyone' })
        .expect(400);
      expect(notArray.body.fields[0].field).toBe('suppliers');
      // Over the lot: refused by catalog before the register is asked.
      const over = await request(platform.http)
        .post(`/api/v1/products/${rabbit.id}/lots`)
        .set(yangguang)
        .send({ ...lot, suppliers: [{ householdId, quantity: 11 }] })
        .expect(400);
      expect(over.body).toMatchObject({
        error: 'VALIDATION_FAILED',
        fields: [{ field: 'suppliers', reason: expect.stringMatching(/11.*10/) }],
      });
      expect({ lots: await count('lot'), suppliers: await count('lot_supplier') }).toEqual(before);
    });

    it("sells a product from another product's lots of the same producer, refusing any other source", async () => {
      const rabbit = await productNamed('冷鲜兔肉');
      const goat = await productNamed('太行黑山羊肉');
      const yangguang = await auth('staff');
      const body = {
        nameZh: '兔肉家庭装',
        category: 'meat',
        unit: 'box',
        priceFen: 19_800,
      };
      const before = await count('product');
      for (const [stockSourceProductId, status, field] of [
        ['not-a-uuid', 400, 'stockSourceProductId'],
        [goat.id, 400, 'stockSourceProductId'],
      ] as const) {
        const res = await request(platform.http)
          .post(`/api/v1/producers/${rabbit.producerId}/products`)
          .set(yangguang)
          .send({ ...body, stockSourceProductId })
          .expect(status);
        expect(res.body.fields.map((f: { field: string }) => f.field)).toEqual([field]);
      }
      expect(await count('product')).toBe(before);

      const pack = await request(platform.http)
        .post(`/api/v1/producers/${rabbit.producerId}/products`)
        .set(yangguang)
        .send({ ...body, stockSourceProductId: rabbit.id })
        .expect(201);
      expect(pack.body).toMatchObject({ stockSourceProductId: rabbit.id, stock: rabbit.stock });
      await request(platform.http)
        .post(`/api/v1/products/${pack.body.id}/certificates`)
        .set(await auth('officer'))
        .send({
          validFrom: new Date().toISOString(),
          validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        })
        .expect(201);
      const shown = await request(platform.http).get(`/api/v1/products/${pack.body.id}`).expect(200);
      expect(shown.body).toMatchObject({ stockSourceProductId: rabbit.id, stock: rabbit.stock });
      expect((await productNamed('冷鲜兔肉')).stockSourceProductId).toBeNull();

      const ownLot = await request(platform.http)
        .post(`/api/v1/products/${pack.body.id}/lots`)
        .set(yangguang)
        .send({ lotCode: 'PACK-1', producedOn: '2020-05-12', quantity: 10 })
        .expect(400);
      expect(ownLot.body.fields.map((f: { field: string }) => f.field)).toEqual(['productId']);
    });

    it('shows a new product at once when certified and hides an archived one', async () => {
      const honey = await productNamed('太行山土蜂蜜');
      const officer = await auth('officer');
      const created = await request(platform.http)
        .post(`/api/v1/producers/${honey.producerId}/products`)
        .set(officer)
        .send({
          nameZh: '槐花蜜',
          nameEn: 'Acacia honey',
          category: 'honey',
          unit: 'jar (500 g)',
          priceFen: 5_200,
        })
        .expect(201);
      expect((await productNamed('槐花蜜'))?.id).toBeUndefined();
      await request(platform.http)
        .post(`/api/v1/products/${created.body.id}/certificates`)
        .set(officer)
        .send({
          validFrom: new Date().toISOString(),
          validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        })
        .expect(201);
      expect((await productNamed('槐花蜜')).id).toBe(created.body.id);
      await request(platform.http)
        .patch(`/api/v1/products/${created.body.id}`)
        .set(officer)
        .send({ status: 'archived' })
        .expect(200);
      await request(platform.http).get(`/api/v1/products/${created.body.id}`).expect(404);
      const unlisted = await request(platform.http)
        .get(`/api/v1/products/${created.body.id}`)
        .query({ includeUnlisted: 'true' })
        .set(officer)
        .expect(200);
      expect(unlisted.body.status).toBe('archived');
    });
  });

  describe('operations', () => {
    it('answers health, readiness, metrics and the OpenAPI document', async () => {
      await request(platform.http).get('/healthz').expect(200);
      // Orders (carts live in Redis) runs only with Redis; readiness waits for it like the others.
      const ready = await request(platform.http)
        .get('/readyz')
        .expect(testRedisUrl() ? 200 : 503);
      expect(Object.keys(ready.body.details).sort()).toEqual(
        ['beneficiaries', 'catalog', 'database', 'orders', 'redis'].sort(),
      );
      const metrics = await request(platform.http).get('/metrics').expect(200);
      expect(metrics.text).toContain('yugong_gateway_http_request_duration_seconds');
      const doc = await request(platform.http).get('/api/docs/openapi.json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/products', '/api/v1/auth/login']),
      );
    });

    it('echoes a valid request id and sets security headers', async () => {
      const res = await request(platform.http).get('/healthz').set('x-request-id', 'abc-123').expect(200);
      expect(res.headers['x-request-id']).toBe('abc-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });
  });
});
