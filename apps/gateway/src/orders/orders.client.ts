import { orders } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** The orders service as the gateway calls it: typed, a deadline on every call, bounded retries on reads. */
export class OrdersClient extends ServiceClient<orders.OrdersServiceClient> {}
