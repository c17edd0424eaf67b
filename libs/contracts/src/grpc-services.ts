import * as beneficiaries from './generated/yugong/beneficiaries/v1/beneficiaries';
import * as catalog from './generated/yugong/catalog/v1/catalog';
import * as ledger from './generated/yugong/ledger/v1/ledger';
import * as licensing from './generated/yugong/licensing/v1/licensing';
import * as orders from './generated/yugong/orders/v1/orders';

/** A gRPC service of the platform, typed by its generated `*ServiceClient` interface `T`. */
export interface GrpcService<T extends object> {
  /** Folder under `proto/yugong/`, e.g. `catalog`. */
  readonly proto: string;
  /** The generated `*_PACKAGE_NAME`. */
  readonly packageName: string;
  /** The generated `*_SERVICE_NAME`. */
  readonly serviceName: string;
  /** Never set: carries `T` so that a client made from it is typed. */
  readonly client?: T;
}

/** Every gRPC service of the platform: what the services' channels (`createGrpcStub` of `@yugong/shared/grpc`) and the tests' client connect to. */
export const GRPC_SERVICES = {
  beneficiaries: {
    proto: 'beneficiaries',
    packageName: beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    serviceName: beneficiaries.BENEFICIARIES_SERVICE_NAME,
  } as GrpcService<beneficiaries.BeneficiariesServiceClient>,
  catalog: {
    proto: 'catalog',
    packageName: catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    serviceName: catalog.CATALOG_SERVICE_NAME,
  } as GrpcService<catalog.CatalogServiceClient>,
  orders: {
    proto: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceName: orders.ORDERS_SERVICE_NAME,
  } as GrpcService<orders.OrdersServiceClient>,
  ledger: {
    proto: 'ledger',
    packageName: ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    serviceName: ledger.LEDGER_SERVICE_NAME,
  } as GrpcService<ledger.LedgerServiceClient>,
  /** The relief office's acts on the ledger (allocations, suspense, distribution runs). */
  reliefOffice: {
    proto: 'ledger',
    packageName: ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    serviceName: ledger.RELIEF_OFFICE_SERVICE_NAME,
  } as GrpcService<ledger.ReliefOfficeServiceClient>,
  /** Payout batches of household balances. */
  payouts: {
    proto: 'ledger',
    packageName: ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    serviceName: ledger.PAYOUTS_SERVICE_NAME,
  } as GrpcService<ledger.PayoutsServiceClient>,
  licensing: {
    proto: 'licensing',
    packageName: licensing.YUGONG_LICENSING_V1_PACKAGE_NAME,
    serviceName: licensing.LICENSING_SERVICE_NAME,
  } as GrpcService<licensing.LicensingServiceClient>,
  /** What a consumer of order events (the ledger) serves, as orders' relay calls it. */
  orderEventsConsumer: {
    proto: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceName: orders.ORDER_EVENTS_CONSUMER_SERVICE_NAME,
  } as GrpcService<orders.OrderEventsConsumerServiceClient>,
} as const;
