import { status } from '@grpc/grpc-js';
import { errorDetails, expectRejection, GRPC_SERVICES, grpcTestClient, until } from '@yugong/shared/testing';
import {
  ADMIN,
  applyForRabbit,
  approve,
  AUDITOR,
  CONSUMER,
  daysFromNow,
  GOAT,
  OFFICER,
  OFFICER_2,
  RABBIT,
  RABBIT_HEADS,
  RUIXING_STAFF,
  startTestLicensing,
  YANGGUANG,
  YANGGUANG_STAFF,
  type TestLicensing,
} from './support/harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as catalogHarness from '../../catalog/test/support/harness';

const APPROVE = 'LICENCE_ACTION_APPROVE' as never;
const REJECT = 'LICENCE_ACTION_REJECT' as never;
const SUSPEND = 'LICENCE_ACTION_SUSPEND' as never;
const REINSTATE = 'LICENCE_ACTION_REINSTATE' as never;
const REVOKE = 'LICENCE_ACTION_REVOKE' as never;

describe('licensing', () => {
  let t: TestLicensing;

  beforeAll(async () => {
    t = await startTestLicensing('licensing', { LICENCE_EXPIRY_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await t.sql.query('truncate licence cascade');
    await t.catalog.sql.query('delete from product_licence');
  });

  /** The product as the storefront reads it: public, through the gateway. */
  const storefront = async (id: string) => (await t.catalog.client.call('getProduct', { id }, null)).product!;
  const move = (id: string, action: never, reason = 'per the office', who = OFFICER) =>
    t.client.call('changeLicenceStatus', { id, action, reason }, who);
  const licenceCount = async () => Number((await t.sql.query('select count(*) from licence')).rows[0].count);

  it('applies pending, approves with a number and a period, and the storefront shows the LOGO', async () => {
    const applied = await applyForRabbit(t);
    expect(applied).toMatchObject({
      status: 'LICENCE_STATUS_PENDING',
      number: '',
      producerId: YANGGUANG,
      productIds: [RABBIT, RABBIT_HEADS].sort(),
      commitment: { commitmentBps: 200, minPerUnit: { fen: 50, currency: 'CNY' } },
      covering: false,
      appliedBy: YANGGUANG_STAFF.userId,
    });
    expect((await storefront(RABBIT)).licensed).toBe(false);

    const approved = await approve(t, applied.id);
    expect(approved.status).toBe('LICENCE_STATUS_APPROVED');
    expect(approved.number).toMatch(/^LOGO-\d{4}-\d{6}$/);
    expect(approved.covering).toBe(true);
    expect(approved.history.map((h) => [h.fromStatus, h.toStatus, h.changedBy])).toEqual([
      ['LICENCE_STATUS_UNSPECIFIED', 'LICENCE_STATUS_PENDING', YANGGUANG_STAFF.userId],
      ['LICENCE_STATUS_PENDING', 'LICENCE_STATUS_APPROVED', OFFICER.userId],
    ]);
    expect(await storefront(RABBIT)).toMatchObject({ licensed: true, licenceNumber: approved.number });
    expect(await storefront(GOAT)).toMatchObject({ licensed: false, licenceNumber: '' });

    const orders = grpcTestClient(GRPC_SERVICES.licensing, t.address, { from: 'orders' });
    try {
      const { terms, standsForMs } = await orders.call(
        'getLicenceTerms',
        { productIds: [RABBIT, GOAT] },
        'service',
      );
      // Without Redis no version is moved on a licence's move: nobody may keep this answer.
      expect(standsForMs ?? 0).toBe(0);
      expect(terms).toEqual([
        expect.objectContaining({
          productId: RABBIT,
          licenceId: applied.id,
          licenceNumber: approved.number,
          commitment: { commitmentBps: 200, minPerUnit: { fen: 50, currency: 'CNY' } },
        }),
      ]);
    } finally {
      orders.close();
    }
  });

  it('refuses an application without a commitment, or over products not its own or not certified, writing nothing', async () => {
    const bad = await expectRejection(
      t.client.call(
        'applyForLicence',
        { producerId: YANGGUANG, productIds: [RABBIT], commitmentBps: 0, note: '' },
        YANGGUANG_STAFF,
      ),
      status.INVALID_ARGUMENT,
    );
    expect(errorDetails(bad).fields.map((f) => f.field)).toEqual(['commitmentBps']);
    const other = await expectRejection(
      t.client.call(
        'applyForLicence',
        { producerId: YANGGUANG, productIds: [RABBIT, GOAT], commitmentBps: 100, note: '' },
        YANGGUANG_STAFF,
      ),
      status.FAILED_PRECONDITION,
    );
    expect(errorDetails(other).fields).toEqual([
      { field: `productIds.${GOAT}`, reason: "is not this producer's product" },
    ]);
    const [certificate] = (
      await t.catalog.client.call('listCertificates', { productId: RABBIT_HEADS }, catalogHarness.OFFICER)
    ).certificates;
    await t.catalog.client.call(
      'revokeCertificate',
      { id: certificate!.id, reason: 'recalled for testing' },
      catalogHarness.OFFICER,
    );
    try {
      const uncertified = await expectRejection(applyForRabbit(t), status.FAILED_PRECONDITION);
      expect(errorDetails(uncertified).fields).toEqual([
        { field: `productIds.${RABBIT_HEADS}`, reason: 'is not certified' },
      ]);
    } finally {
      await catalogHarness.certify(t.catalog.client, RABBIT_HEADS);
    }
    await expectRejection(
      t.client.call(
        'applyForLicence',
        { producerId: YANGGUANG, productIds: [RABBIT], commitmentBps: 100, note: '' },
        RUIXING_STAFF,
      ),
      status.PERMISSION_DENIED,
    );
    expect(await licenceCount()).toBe(0);
  });

  it('producer staff cannot review their own application, nor can the officer who made one', async () => {
    const applied = await applyForRabbit(t);
    for (const action of [APPROVE, REJECT]) {
      await expectRejection(
        t.client.call(
          'changeLicenceStatus',
          { id: applied.id, action, reason: 'mine', validFrom: daysFromNow(-1), validTo: daysFromNow(30) },
          YANGGUANG_STAFF,
        ),
        status.PERMISSION_DENIED,
      );
    }
    for (const who of [AUDITOR, CONSUMER]) {
      await expectRejection(move(applied.id, REJECT, 'no', who), status.PERMISSION_DENIED);
    }
    const onBehalf = (
      await t.client.call(
        'applyForLicence',
        { producerId: YANGGUANG, productIds: [RABBIT], commitmentBps: 150, note: 'filed at the office' },
        OFFICER,
      )
    ).licence!;
    await expectRejection(move(onBehalf.id, REJECT, 'mine'), status.PERMISSION_DENIED);
    expect((await move(onBehalf.id, REJECT, 'duplicate of another', OFFICER_2)).licence!.status).toBe(
      'LICENCE_STATUS_REJECTED',
    );
    const still = await t.client.call('getLicence', { id: applied.id }, YANGGUANG_STAFF);
    expect(still.licence!.status).toBe('LICENCE_STATUS_PENDING');
    // Staff of another producer do not see it at all.
    await expectRejection(t.client.call('getLicence', { id: applied.id }, RUIXING_STAFF), status.NOT_FOUND);
  });

  it('suspends, reinstates and revokes with reasons, the LOGO following at once, and refuses illegal moves', async () => {
    const { id } = await applyForRabbit(t);
    await expectRejection(move(id, SUSPEND), status.FAILED_PRECONDITION);
    const approved = await approve(t, id);
    const noReason = await expectRejection(move(id, SUSPEND, ''), status.INVALID_ARGUMENT);
    expect(errorDetails(noReason).fields.map((f) => f.field)).toEqual(['reason']);

    await move(id, SUSPEND, 'labels misused at a market');
    expect((await storefront(RABBIT)).licensed).toBe(false);
    await expectRejection(move(id, SUSPEND, 'again'), status.FAILED_PRECONDITION);
    await move(id, REINSTATE, 'labels corrected', ADMIN);
    expect(await storefront(RABBIT)).toMatchObject({ licensed: true, licenceNumber: approved.number });
    const revoked = (await move(id, REVOKE, 'commitment not paid')).licence!;
    expect((await storefront(RABBIT)).licensed).toBe(false);
    expect((await storefront(RABBIT_HEADS)).licensed).toBe(false);
    await expectRejection(move(id, REINSTATE, 'please'), status.FAILED_PRECONDITION);
    await expectRejection(approve(t, id), status.FAILED_PRECONDITION);
    expect(revoked.history.map((h) => [h.toStatus, h.reason])).toEqual([
      ['LICENCE_STATUS_PENDING', '2020 rabbit line'],
      ['LICENCE_STATUS_APPROVED', ''],
      ['LICENCE_STATUS_SUSPENDED', 'labels misused at a market'],
      ['LICENCE_STATUS_APPROVED', 'labels corrected'],
      ['LICENCE_STATUS_REVOKED', 'commitment not paid'],
    ]);
  });

  it('lets one live licence cover a product, also when two officers approve overlapping ones at once', async () => {
    const first = await applyForRabbit(t, [RABBIT]);
    const second = await applyForRabbit(t, [RABBIT, RABBIT_HEADS]);
    const outcomes = await Promise.allSettled([approve(t, first.id), approve(t, second.id)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(errorDetails(refused.reason).code).toBe('LICENCE_ALREADY_EXISTS');
    const live = await t.sql.query('select product_id from licence_product where live');
    expect(live.rows.filter((r) => r.product_id === RABBIT)).toHaveLength(1);
    // The one refused is still pending, its products not live.
    const pending = await t.sql.query(`select count(*) from licence where status = 'pending'`);
    expect(Number(pending.rows[0].count)).toBe(1);
  });

  it('expires a licence past its end with nobody acting, and the LOGO goes', async () => {
    const { id } = await applyForRabbit(t);
    await approve(t, id, new Date(Date.now() + 1_500).toISOString());
    expect((await storefront(RABBIT)).licensed).toBe(true);
    const expired = await until(
      async () => {
        const { licence } = await t.client.call('getLicence', { id }, AUDITOR);
        return licence!.status === 'LICENCE_STATUS_EXPIRED' ? licence! : undefined;
      },
      10_000,
      'the licence to expire',
    );
    expect(expired.covering).toBe(false);
    expect(expired.history.at(-1)).toMatchObject({ toStatus: 'LICENCE_STATUS_EXPIRED', changedBy: '' });
    await until(
      async () => ((await storefront(RABBIT)).licensed ? undefined : true),
      5_000,
      'the LOGO to go',
    );
    // Catalog drops the LOGO at its own read once the period ends, possibly before the expiry job's
    // push reaches it: wait for the push to be acknowledged too.
    await until(
      async () => {
        const synced = await t.sql.query('select version, synced_version from licence where id = $1', [id]);
        return synced.rows[0].synced_version === synced.rows[0].version ? true : undefined;
      },
      10_000,
      'catalog to acknowledge the expiry',
    );
  });

  it('lists the review queue oldest first for officers and only their own for producer staff', async () => {
    const a = await applyForRabbit(t, [RABBIT]);
    const b = await applyForRabbit(t, [RABBIT_HEADS]);
    const queue = await t.client.call('listLicences', { status: 'LICENCE_STATUS_PENDING' as never }, OFFICER);
    expect(queue.licences.map((l) => l.id)).toEqual([a.id, b.id]);
    expect(queue.page!.total).toBe(2);
    const theirs = await t.client.call('listLicences', {}, RUIXING_STAFF);
    expect(theirs.licences).toEqual([]);
    const mine = await t.client.call('listLicences', {}, YANGGUANG_STAFF);
    expect(mine.licences).toHaveLength(2);
    await expectRejection(t.client.call('listLicences', {}, CONSUMER), status.PERMISSION_DENIED);
  });

  it('a forged LOGO: no service but licensing can tell catalog a product is licensed', async () => {
    for (const from of ['gateway', 'orders', 'ledger'] as const) {
      const forger = grpcTestClient(GRPC_SERVICES.catalog, t.catalog.address, { from });
      try {
        await expectRejection(
          forger.call(
            'setProductLicence',
            {
              licenceId: '00000000-0000-4000-8000-0000000000ff',
              licenceNumber: 'LOGO-2020-999999',
              producerId: YANGGUANG,
              productIds: [RABBIT],
              covering: true,
              validFrom: { seconds: Math.floor(Date.now() / 1000) - 60, nanos: 0 },
              validTo: { seconds: Math.floor(Date.now() / 1000) + 86_400, nanos: 0 },
            },
            'service',
          ),
          status.PERMISSION_DENIED,
        );
      } finally {
        forger.close();
      }
    }
    expect((await storefront(RABBIT)).licensed).toBe(false);
    const { rows } = await t.catalog.sql.query('select count(*)::int as n from product_licence');
    expect(rows[0].n).toBe(0);
  });

  it('a buyer reading the terms: only orders, for itself, reads licence terms', async () => {
    const { id } = await applyForRabbit(t);
    await approve(t, id);
    await expectRejection(
      t.client.call('getLicenceTerms', { productIds: [RABBIT] }, CONSUMER),
      status.PERMISSION_DENIED,
    );
    const orders = grpcTestClient(GRPC_SERVICES.licensing, t.address, { from: 'orders' });
    try {
      await expectRejection(
        orders.call('getLicenceTerms', { productIds: ['nope'] }, 'service'),
        status.INVALID_ARGUMENT,
      );
    } finally {
      orders.close();
    }
  });
});
