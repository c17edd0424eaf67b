import * as grpc from '@grpc/grpc-js';
import { catalog } from '@yugong/contracts';
import {
  errorFieldNames,
  expectRejection,
  flushRedisPrefix,
  testRedisUrl,
  uniqueRedisPrefix,
  type TestCaller,
} from '@yugong/shared/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  ADMIN,
  AUDITOR,
  certify,
  CONSUMER,
  daysFromNow,
  INSTITUTION,
  OFFICER,
  staffOf,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

/** Redis when the run has one: the listing cache then keeps views until invalidated. */
const REDIS_URL = testRedisUrl();
const REDIS_KEY_PREFIX = uniqueRedisPrefix('catalog_cert');

const inSeconds = (s: number) => {
  const ms = Date.now() + s * 1_000;
  return { seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1e6 };
};
const { ProducerStatus, ShortageReason } = catalog;

describe('producer review and product certification', () => {
  let running: TestCatalog;
  let sql: Client;
  let producerId: string;
  let staff: TestCaller;

  /** Stock calls come from orders, as in production; the rest from the gateway. */
  const FROM_ORDERS = new Set(['holdStock', 'commitStock']);
  const call: BootedCatalog['client']['call'] = (method, request, caller, options) =>
    running.client.call(method, request, caller, {
      deadlineMs: 20_000,
      from: FROM_ORDERS.has(method) ? 'orders' : 'gateway',
      ...options,
    });

  beforeAll(async () => {
    running = await startTestCatalog('catalog_cert', {
      ...(REDIS_URL ? { REDIS_URL, REDIS_KEY_PREFIX } : {}),
      CERTIFICATE_EXPIRY_INTERVAL_MS: '200',
    });
    sql = running.sql;
    const created = await call(
      'createProducer',
      {
        kind: catalog.ProducerKind.PRODUCER_KIND_COOPERATIVE,
        legalName: '济源市测试蜂业专业合作社',
        creditCode: '91350100M000100Y43',
        town: '王屋镇',
        village: '谭庄村',
        householdShareBps: 1000,
      },
      OFFICER,
    );
    producerId = created.producer.id;
    await call(
      'setProducerStatus',
      { id: producerId, status: ProducerStatus.PRODUCER_STATUS_VERIFIED },
      OFFICER,
    );
    staff = staffOf(40, producerId);
  });

  afterAll(async () => {
    await running?.close();
    if (REDIS_URL) {
      const redis = new Redis(REDIS_URL);
      await flushRedisPrefix(redis, REDIS_KEY_PREFIX);
      await redis.quit();
    }
  });

  const count = async (table: string) =>
    Number((await sql.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0].n);

  /** A draft product of the test producer, drafted by its staff, with 100 units in one lot. */
  async function draft(): Promise<string> {
    const { product } = await call(
      'createProduct',
      {
        producerId,
        nameZh: `太行山土蜂蜜 ${randomUUID().slice(0, 8)}`,
        category: 'honey',
        unit: 'jar',
        price: { fen: 5_800, currency: 'CNY' },
      },
      staff,
    );
    await call(
      'createLot',
      {
        productId: product.id,
        lotCode: `H-${randomUUID().slice(0, 8)}`,
        producedOn: '2026-10-01',
        quantity: 100,
      },
      staff,
    );
    return product.id;
  }

  const hold = (productId: string, orderId = randomUUID()) =>
    call('holdStock', { orderId, lines: [{ productId, quantity: 1 }], expiresAt: inSeconds(900) }, CONSUMER);

  it('refuses to sell a product until an officer certifies it; staff can neither activate nor certify', async () => {
    const before = await count('product');
    const activeDraft = await expectRejection(
      call(
        'createProduct',
        {
          producerId,
          nameZh: '自封蜂蜜',
          category: 'honey',
          unit: 'jar',
          price: { fen: 100 },
          status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE,
        },
        staff,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorFieldNames(activeDraft)).toEqual(['status']);
    const ownNumber = await expectRejection(
      call(
        'createProduct',
        {
          producerId,
          nameZh: '自封蜂蜜',
          category: 'honey',
          unit: 'jar',
          price: { fen: 100 },
          reliefCertification: '济扶认字〔2026〕999号',
        },
        staff,
      ),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorFieldNames(ownNumber)).toEqual(['reliefCertification']);
    expect(await count('product')).toBe(before);

    const productId = await draft();
    const refused = await hold(productId);
    expect(refused.held).toBe(false);
    expect(refused.shortages).toEqual([
      expect.objectContaining({ productId, reason: ShortageReason.SHORTAGE_REASON_NOT_FOR_SALE }),
    ]);
    await expectRejection(call('getProduct', { id: productId }, null), grpc.status.NOT_FOUND);
    expect((await call('getReviewQueue', {}, OFFICER)).uncertifiedProducts.map((p) => p.id)).toContain(
      productId,
    );

    await expectRejection(
      call('updateProduct', { id: productId, status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE }, staff),
      grpc.status.PERMISSION_DENIED,
    );
    await expectRejection(
      call('updateProduct', { id: productId, reliefCertification: 'JY-2026-999999' }, staff),
      grpc.status.INVALID_ARGUMENT,
    );
    const notCertified = await expectRejection(
      call('updateProduct', { id: productId, status: catalog.ProductStatus.PRODUCT_STATUS_ACTIVE }, OFFICER),
      'PRODUCT_NOT_CERTIFIED',
    );
    expect(errorFieldNames(notCertified)).toEqual(['status']);
    await expectRejection(
      call('certifyProduct', { productId, validFrom: daysFromNow(-1), validTo: daysFromNow(365) }, staff),
      grpc.status.PERMISSION_DENIED,
    );
    expect(await count('product_certificate where product_id = ' + `'${productId}'`)).toBe(0);

    const certificate = await certify(running.client, productId);
    expect(certificate.number).toMatch(/^JY-\d{4}-\d{6}$/);
    expect(certificate.status).toBe('CERTIFICATE_STATUS_VALID');
    expect(certificate.certifiedBy).toBe(OFFICER.userId);
    const { product } = await call('getProduct', { id: productId }, null);
    expect(product.status).toBe('PRODUCT_STATUS_ACTIVE');
    expect(product.reliefCertification).toBe(certificate.number);
    expect((await hold(productId)).held).toBe(true);
    expect((await call('getReviewQueue', {}, OFFICER)).uncertifiedProducts.map((p) => p.id)).not.toContain(
      productId,
    );

    const again = await expectRejection(certify(running.client, productId), grpc.status.ALREADY_EXISTS);
    expect(errorFieldNames(again)).toEqual(['productId']);
  });

  it('takes a revoked product off sale at once, the cached view included, and keeps its orders', async () => {
    const productId = await draft();
    const certificate = await certify(running.client, productId);
    expect((await call('getProduct', { id: productId }, null)).product.id).toBe(productId); // cached now
    const listed = await call('listProducts', { producerId }, null);
    expect(listed.products.map((p) => p.id)).toContain(productId);
    const soldBefore = randomUUID();
    expect((await hold(productId, soldBefore)).held).toBe(true);

    const noReason = await expectRejection(
      call('revokeCertificate', { id: certificate.id, reason: '' }, OFFICER),
      grpc.status.INVALID_ARGUMENT,
    );
    expect(errorFieldNames(noReason)).toEqual(['reason']);
    await expectRejection(
      call('revokeCertificate', { id: certificate.id, reason: 'mine' }, staff),
      grpc.status.PERMISSION_DENIED,
    );
    const revoked = await call(
      'revokeCertificate',
      { id: certificate.id, reason: 'sold rapeseed honey as locust honey' },
      OFFICER,
    );
    expect(revoked.certificate.status).toBe('CERTIFICATE_STATUS_REVOKED');
    expect(revoked.certificate.revocationReason).toBe('sold rapeseed honey as locust honey');

    await expectRejection(call('getProduct', { id: productId }, null), grpc.status.NOT_FOUND);
    expect((await call('listProducts', { producerId }, null)).products.map((p) => p.id)).not.toContain(
      productId,
    );
    const after = await hold(productId);
    expect(after.shortages[0]?.reason).toBe(ShortageReason.SHORTAGE_REASON_NOT_FOR_SALE);
    // The order held before the revocation is still there and can still be paid for.
    const committed = await call('commitStock', { orderId: soldBefore });
    expect(committed.committed).toBe(true);
    const { rows } = await sql.query(`select status from stock_hold where order_id = $1`, [soldBefore]);
    expect(rows).toEqual([{ status: 'committed' }]);
    // A second revocation changes nothing.
    const twice = await call('revokeCertificate', { id: certificate.id, reason: 'again' }, OFFICER);
    expect(twice.certificate.revocationReason).toBe('sold rapeseed honey as locust honey');
    const own = await call('getProduct', { id: productId, includeUnlisted: true }, staff);
    expect(own.product.status).toBe('PRODUCT_STATUS_DRAFT');
    expect(own.product.reliefCertification).toBe('');
  });

  it('expires a certificate past its end with nobody acting, and takes the product off sale', async () => {
    const productId = await draft();
    const certificate = await certify(running.client, productId, {
      validTo: new Date(Date.now() + 2_000).toISOString(),
    });
    expect((await call('getProduct', { id: productId }, null)).product.id).toBe(productId);
    const deadline = Date.now() + 15_000;
    let status = 'valid';
    while (status === 'valid' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await sql.query(`select status from product_certificate where id = $1`, [certificate.id]))
        .rows[0].status;
    }
    expect(status).toBe('expired');
    const { rows } = await sql.query(`select status, relief_certification from product where id = $1`, [
      productId,
    ]);
    expect(rows).toEqual([{ status: 'draft', relief_certification: '' }]);
    await expectRejection(call('getProduct', { id: productId }, null), grpc.status.NOT_FOUND);
    expect((await hold(productId)).held).toBe(false);
    const expired = await call(
      'listCertificates',
      { productId, status: catalog.CertificateStatus.CERTIFICATE_STATUS_EXPIRED },
      OFFICER,
    );
    expect(expired.certificates.map((c) => c.id)).toEqual([certificate.id]);
  });

  it('refuses a bad certification naming the field, writing nothing', async () => {
    const productId = await draft();
    const before = await count('product_certificate');
    const cases: [object, string][] = [
      [{ productId: 'nope', validFrom: daysFromNow(0), validTo: daysFromNow(30) }, 'productId'],
      [{ productId, validFrom: '2026-02-30', validTo: daysFromNow(30) }, 'validFrom'],
      [{ productId, validFrom: daysFromNow(10), validTo: daysFromNow(5) }, 'validTo'],
      [{ productId, validFrom: daysFromNow(-30), validTo: daysFromNow(-1) }, 'validTo'],
      [{ productId, validFrom: daysFromNow(0), validTo: 'next year' }, 'validTo'],
    ];
    for (const [request, field] of cases) {
      const error = await expectRejection(
        call('certifyProduct', request, OFFICER),
        grpc.status.INVALID_ARGUMENT,
      );
      expect(errorFieldNames(error)).toEqual([field]);
    }
    await expectRejection(
      call(
        'certifyProduct',
        { productId: randomUUID(), validFrom: daysFromNow(0), validTo: daysFromNow(30) },
        OFFICER,
      ),
      grpc.status.NOT_FOUND,
    );
    expect(await count('product_certificate')).toBe(before);
  });

  it('issues one certificate when officers certify a product at once; PostgreSQL refuses the rest', async () => {
    const productId = await draft();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => certify(running.client, productId)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const { rows } = await sql.query(`select id, number from product_certificate where product_id = $1`, [
      productId,
    ]);
    expect(rows).toHaveLength(1);

    const insert = (number: string, from: string, to: string, status = 'revoked') =>
      sql.query(
        `insert into product_certificate (id, number, product_id, valid_from, valid_to, status, created_at)
         values (gen_random_uuid(), $1, $2, $3, $4, $5, now())`,
        [number, productId, from, to, status],
      );
    await expect(insert(rows[0].number, '2026-01-01', '2027-01-01')).rejects.toMatchObject({ code: '23505' });
    await expect(insert('JY-TEST-1', '2027-01-01', '2027-01-01')).rejects.toMatchObject({ code: '23514' });
    await expect(insert('JY-TEST-2', '2027-01-01', '2026-01-01')).rejects.toMatchObject({ code: '23514' });
    await expect(insert('JY-TEST-3', '2026-01-01', '2030-01-01', 'valid')).rejects.toMatchObject({
      code: '23505',
    });
    expect(await count(`product_certificate where product_id = '${productId}'`)).toBe(1);
  });

  it('lets only the relief office certify, revoke and read the queue; staff read their own certificates', async () => {
    const productId = await draft();
    const other = staffOf(43, randomUUID());
    const callers: [string, TestCaller | null][] = [
      ['officer', OFFICER],
      ['admin', ADMIN],
      ['auditor', AUDITOR],
      ['staff', staff],
      ['other staff', other],
      ['consumer', CONSUMER],
      ['institution', INSTITUTION],
      ['anonymous', null],
    ];
    const outcome = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'ok';
      } catch (error) {
        return grpc.status[(error as grpc.ServiceError).code];
      }
    };
    const matrix: Record<string, string[]> = {};
    for (const [name, caller] of callers) {
      matrix[name] = [
        await outcome(
          call('certifyProduct', { productId, validFrom: daysFromNow(-1), validTo: daysFromNow(30) }, caller),
        ),
        await outcome(call('revokeCertificate', { id: randomUUID(), reason: 'test' }, caller)),
        await outcome(call('listCertificates', { productId }, caller)),
        await outcome(call('getReviewQueue', {}, caller)),
      ];
    }
    expect(matrix).toEqual({
      officer: ['ok', 'NOT_FOUND', 'ok', 'ok'],
      admin: ['ALREADY_EXISTS', 'NOT_FOUND', 'ok', 'ok'],
      auditor: ['PERMISSION_DENIED', 'PERMISSION_DENIED', 'ok', 'ok'],
      staff: ['PERMISSION_DENIED', 'PERMISSION_DENIED', 'ok', 'PERMISSION_DENIED'],
      'other staff': ['PERMISSION_DENIED', 'PERMISSION_DENIED', 'ok', 'PERMISSION_DENIED'],
      consumer: ['PERMISSION_DENIED', 'PERMISSION_DENIED', 'PERMISSION_DENIED', 'PERMISSION_DENIED'],
      institution: ['PERMISSION_DENIED', 'PERMISSION_DENIED', 'PERMISSION_DENIED', 'PERMISSION_DENIED'],
      anonymous: ['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED'],
    });
    const own = await call('listCertificates', { productId }, staff);
    expect(own.certificates).toHaveLength(1);
    expect(own.certificates[0].certifiedBy).toBe(''); // officers' ids stay with the office
    expect((await call('listCertificates', { productId }, other)).certificates).toHaveLength(0);
  });
});
