import * as grpc from '@grpc/grpc-js';
import { demoId, demoRegister, demoSupplierHouseholds } from '@yugong/shared/demo';
import {
  createTestDatabase,
  errorDetails,
  expectRejection,
  freePort,
  type TestDatabase,
} from '@yugong/shared/testing';
import { Client } from 'pg';
// The register is booted in this process, as `npm start` boots it beside catalog, so that lots are
// checked against the real service rather than a fake of it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  startBeneficiaries,
  type RunningBeneficiaries,
} from '../../beneficiaries/src/beneficiaries.bootstrap';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { beneficiariesConfig } from '../../beneficiaries/src/config/beneficiaries.config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { testEnv } from '../../beneficiaries/test/support/harness';
import {
  bootCatalog,
  OFFICER,
  staffOf,
  startTestCatalog,
  type BootedCatalog,
  type TestCatalog,
} from './support/harness';

const YANGGUANG = demoId('producer', 'yangguang');
const YANGGUANG_STAFF = staffOf(6, YANGGUANG);
const RABBIT = demoId('product', 'yangguang/rabbit-chilled');
const UNKNOWN_HOUSEHOLD = '99999999-2222-4333-8444-555555555555';

const fieldsOf = (error: grpc.ServiceError) => errorDetails(error).fields;

describe('lot suppliers, checked with the beneficiaries register', () => {
  let registerDb: TestDatabase;
  let register: RunningBeneficiaries;
  let catalog: TestCatalog;
  let client: BootedCatalog['client'];
  let sql: Client;
  const supply = demoSupplierHouseholds('yangguang');

  beforeAll(async () => {
    registerDb = await createTestDatabase('catalog_suppliers_register');
    const registerPort = await freePort();
    register = (await startBeneficiaries(
      beneficiariesConfig(testEnv(registerDb.url, registerPort, { SEED_DEMO: 'true' })),
    ))!;
    catalog = await startTestCatalog('catalog_suppliers', {
      SEED_DEMO: 'true',
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${registerPort}`,
    });
    ({ client, sql } = catalog);
  }, 60_000);

  afterAll(async () => {
    await catalog?.close();
    await register?.close();
    await registerDb?.drop();
  });

  async function counts(): Promise<{ lots: number; suppliers: number }> {
    const { rows } = await sql.query(
      'select (select count(*) from lot)::int as lots, (select count(*) from lot_supplier)::int as suppliers',
    );
    return rows[0];
  }

  const lot = (lotCode: string, extra: object = {}) => ({
    productId: RABBIT,
    lotCode,
    producedOn: '2020-06-01',
    quantity: 100,
    ...extra,
  });

  it('has supply households for the demo producer to name', () => {
    expect(supply.length).toBeGreaterThanOrEqual(4);
  });

  it('records valid suppliers with the lot, in the order given, and lists them', async () => {
    const before = await counts();
    const suppliers = [
      { householdId: supply[2], quantity: 30 },
      { householdId: supply[0], quantity: 45 },
    ];
    const created = await client.call('createLot', lot('RABBIT-S-1', { suppliers }), YANGGUANG_STAFF);
    expect(created.lot.suppliers).toEqual(suppliers);
    expect(await counts()).toEqual({ lots: before.lots + 1, suppliers: before.suppliers + 2 });
    const { lots } = await client.call('listLots', { productId: RABBIT }, OFFICER);
    expect(lots.find((l) => l.lotCode === 'RABBIT-S-1')!.suppliers).toEqual(suppliers);

    // The whole lot may come from households; a lot without suppliers needs no register at all.
    await client.call(
      'createLot',
      lot('RABBIT-S-2', { suppliers: [{ householdId: supply[1], quantity: 100 }] }),
      OFFICER,
    );
    await client.call('createLot', lot('RABBIT-S-3'), OFFICER);
    expect(await counts()).toEqual({ lots: before.lots + 3, suppliers: before.suppliers + 3 });
  });

  it('refuses an unknown household, naming it, and writes nothing', async () => {
    const before = await counts();
    const error = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-1', {
          suppliers: [
            { householdId: supply[0], quantity: 10 },
            { householdId: UNKNOWN_HOUSEHOLD, quantity: 10 },
          ],
        }),
        OFFICER,
      ),
    );
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldsOf(error)).toEqual([{ field: 'suppliers.1.householdId', reason: 'household not found' }]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a household without a supply agreement with the producer on the produced date', async () => {
    const before = await counts();
    // A supplier of another producer, and a household linked to this one by another kind.
    const ruixingSupplier = demoSupplierHouseholds('ruixing')[0];
    const employee = demoRegister().agreements.find(
      (a) => a.producerKey === 'yangguang' && a.kind !== 'supply',
    )!.householdId;
    const other = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-2', {
          suppliers: [
            { householdId: ruixingSupplier, quantity: 10 },
            { householdId: supply[0], quantity: 10 },
            { householdId: employee, quantity: 10 },
          ],
        }),
        OFFICER,
      ),
    );
    expect(other.code).toBe(grpc.status.INVALID_ARGUMENT);
    const reason = 'no supply agreement with the producer at as_of';
    expect(fieldsOf(other)).toEqual([
      { field: 'suppliers.0.householdId', reason },
      { field: 'suppliers.2.householdId', reason },
    ]);
    // The demo agreements start on 2019-01-01: a lot produced before then had no such supplier.
    const early = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-3', {
          producedOn: '2018-12-31',
          suppliers: [{ householdId: supply[0], quantity: 10 }],
        }),
        OFFICER,
      ),
    );
    expect(fieldsOf(early)).toEqual([{ field: 'suppliers.0.householdId', reason }]);
    expect(await counts()).toEqual(before);
  });

  it('refuses quantities over the lot, a household named twice and bad shapes, writing nothing', async () => {
    const before = await counts();
    const over = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-4', {
          suppliers: [
            { householdId: supply[0], quantity: 60 },
            { householdId: supply[1], quantity: 41 },
          ],
        }),
        OFFICER,
      ),
    );
    expect(over.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldsOf(over)).toEqual([{ field: 'suppliers', reason: expect.stringMatching(/101.*100/) }]);
    const twice = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-5', {
          suppliers: [
            { householdId: supply[0], quantity: 10 },
            { householdId: supply[0], quantity: 10 },
          ],
        }),
        OFFICER,
      ),
    );
    expect(fieldsOf(twice)).toEqual([{ field: 'suppliers.1.householdId', reason: expect.any(String) }]);
    const shape = await expectRejection(
      client.call(
        'createLot',
        lot('RABBIT-X-6', {
          suppliers: [
            { householdId: 'not-a-uuid', quantity: 10 },
            { householdId: supply[1], quantity: 0 },
          ],
        }),
        OFFICER,
      ),
    );
    expect(fieldsOf(shape).map((f: { field: string }) => f.field)).toEqual([
      'suppliers.0.householdId',
      'suppliers.1.quantity',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('answers UNAVAILABLE and writes nothing when the register cannot be reached', async () => {
    const nowhere = await freePort();
    const cut = await bootCatalog(catalog.url, {
      SEED_DEMO: 'false',
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${nowhere}`,
      GRPC_DEADLINE_MS: '1000',
    });
    const cutClient = cut.client;
    try {
      const before = await counts();
      const error = await expectRejection(
        cutClient.call(
          'createLot',
          lot('RABBIT-X-7', { suppliers: [{ householdId: supply[0], quantity: 10 }] }),
          OFFICER,
        ),
      );
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
      expect(error.metadata.get('x-error-code')[0]).toBe('BENEFICIARIES_UNAVAILABLE');
      expect(await counts()).toEqual(before);
    } finally {
      await cut.close();
    }
  });

  it('seeded the demo lots with supply households of their producer, valid in the register', async () => {
    const { rows } = await sql.query<{ household_id: string; quantity: string; lot_quantity: string }>(
      `select s.household_id, s.quantity, l.quantity as lot_quantity
         from lot_supplier s join lot l on l.id = s.lot_id join product p on p.id = l.product_id
        where p.producer_id = $1 and l.lot_code like '%-2020-0%'`,
      [YANGGUANG],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => supply.includes(r.household_id))).toBe(true);
    // Every seeded supplier record would pass the check a new lot gets.
    const { lots } = await client.call('listLots', { productId: RABBIT }, OFFICER);
    const seeded = lots.find((l) => l.lotCode === 'RABBIT-CHILLED-2020-01')!;
    expect(seeded.suppliers.length).toBeGreaterThan(0);
    expect(seeded.suppliers.reduce((sum, s) => sum + s.quantity, 0)).toBeLessThanOrEqual(seeded.quantity);
    await client.call(
      'createLot',
      lot('RABBIT-SEEDED-AGAIN', {
        producedOn: '2020-04-20',
        quantity: seeded.quantity,
        suppliers: seeded.suppliers,
      }),
      OFFICER,
    );
  });
});
