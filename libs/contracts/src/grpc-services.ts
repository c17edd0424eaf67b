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

/** The entry of {@link GRPC_SERVICES} for `T`, the service's generated client interface. */
function grpcService<T extends object>(
  proto: string,
  packageName: string,
  serviceName: string,
): GrpcService<T> {
  return { proto, packageName, serviceName };
}

/** Every gRPC service of the platform: what the services' channels (`createGrpcStub` of `@yugong/shared/grpc`) and the tests' client connect to. */
export const GRPC_SERVICES = {
  beneficiaries: grpcService<beneficiaries.BeneficiariesServiceClient>(
    'beneficiaries',
    beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME,
    beneficiaries.BENEFICIARIES_SERVICE_NAME,
  ),
  catalog: grpcService<catalog.CatalogServiceClient>(
    'catalog',
    catalog.YUGONG_CATALOG_V1_PACKAGE_NAME,
    catalog.CATALOG_SERVICE_NAME,
  ),
  orders: grpcService<orders.OrdersServiceClient>(
    'orders',
    orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    orders.ORDERS_SERVICE_NAME,
  ),
  ledger: grpcService<ledger.LedgerServiceClient>(
    'ledger',
    ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    ledger.LEDGER_SERVICE_NAME,
  ),
  /** The relief office's acts on the ledger (allocations, suspense, distribution runs). */
  reliefOffice: grpcService<ledger.ReliefOfficeServiceClient>(
    'ledger',
    ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    ledger.RELIEF_OFFICE_SERVICE_NAME,
  ),
  /** Payout batches of household balances. */
  payouts: grpcService<ledger.PayoutsServiceClient>(
    'ledger',
    ledger.YUGONG_LEDGER_V1_PACKAGE_NAME,
    ledger.PAYOUTS_SERVICE_NAME,
  ),
  licensing: grpcService<licensing.LicensingServiceClient>(
    'licensing',
    licensing.YUGONG_LICENSING_V1_PACKAGE_NAME,
    licensing.LICENSING_SERVICE_NAME,
  ),
  /** What a consumer of order events (the ledger) serves, as orders' relay calls it. */
  orderEventsConsumer: grpcService<orders.OrderEventsConsumerServiceClient>(
    'orders',
    orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    orders.ORDER_EVENTS_CONSUMER_SERVICE_NAME,
  ),
} as const;
