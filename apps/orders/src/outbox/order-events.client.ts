import { orders } from '@yugong/contracts';
import { createGrpcStub, ServiceClient } from '@yugong/shared/grpc';
import type { EventConsumer } from './outbox.relay';

/**
 * A consumer of order events at a gRPC address implementing
 * `yugong.orders.v1.OrderEventsConsumerService`, through the generated client. A delivery is not
 * retried here: the relay backs off and tries again on a later pass.
 */
export function grpcEventConsumer(url: string, serviceToken: string): EventConsumer {
  const channel = createGrpcStub<orders.OrderEventsConsumerServiceClient>({
    url,
    service: 'orders',
    packageName: orders.YUGONG_ORDERS_V1_PACKAGE_NAME,
    serviceName: orders.ORDER_EVENTS_CONSUMER_SERVICE_NAME,
  });
  const client = new ServiceClient(channel.stub, { serviceToken, deadlineMs: 3_000, retries: 0 });
  return {
    name: url,
    deliver: async (event, deadlineMs) => {
      await client.call('consumeOrderEvent', { event }, { deadlineMs });
    },
    close: () => channel.close(),
  };
}
