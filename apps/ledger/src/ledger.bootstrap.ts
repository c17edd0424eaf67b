import { ledger, orders, GRPC_SERVICES } from '@yugong/contracts';
import {
  createGrpcStub,
  clientSettings,
  startGrpcService,
  type RunningGrpcService,
} from '@yugong/shared/grpc';
import { AppModule } from './app.module';
import { BeneficiariesClient } from './clients/beneficiaries.client';
import { CatalogClient } from './clients/catalog.client';
import { OrdersClient } from './clients/orders.client';
import type { LedgerConfig } from './config/ledger.config';

/** A running ledger service. */
export type RunningLedger = RunningGrpcService;

/**
 * Boots the ledger: migrates its database (under an advisory lock), serves LedgerService and
 * orders' OrderEventsConsumerService on one gRPC port with health (and reflection when asked), starts the
 * sequencer and the catch-up with orders. The services it calls need not be up: their channels
 * connect on the first call, and the catch-up tries again every interval.
 */
export async function startLedger(config: LedgerConfig): Promise<RunningLedger | undefined> {
  const settings = clientSettings('ledger', config);
  const clients = {
    orders: new OrdersClient(createGrpcStub(GRPC_SERVICES.orders, config.ORDERS_GRPC_URL), settings),
    catalog: new CatalogClient(createGrpcStub(GRPC_SERVICES.catalog, config.CATALOG_GRPC_URL), settings),
    beneficiaries: new BeneficiariesClient(
      createGrpcStub(GRPC_SERVICES.beneficiaries, config.BENEFICIARIES_GRPC_URL),
      settings,
    ),
  };
  return startGrpcService({
    name: 'ledger',
    service: ['ledger', 'orders'],
    packageName: [ledger.YUGONG_LEDGER_V1_PACKAGE_NAME, orders.YUGONG_ORDERS_V1_PACKAGE_NAME],
    serviceNames: [
      `${ledger.YUGONG_LEDGER_V1_PACKAGE_NAME}.${ledger.LEDGER_SERVICE_NAME}`,
      `${ledger.YUGONG_LEDGER_V1_PACKAGE_NAME}.${ledger.RELIEF_OFFICE_SERVICE_NAME}`,
      `${orders.YUGONG_ORDERS_V1_PACKAGE_NAME}.${orders.ORDER_EVENTS_CONSUMER_SERVICE_NAME}`,
    ],
    config,
    module: AppModule.forRoot(config, clients),
    release: () => Object.values(clients).forEach((client) => client.close()),
  });
}
