import { GRPC_SERVICES } from '@yugong/contracts';
import type { AssertionSigner, ServiceName } from '@yugong/shared/auth';
import { createGrpcStub, ServiceClient } from '@yugong/shared/grpc';
import type { EventConsumer } from './outbox.relay';

/**
 * A consumer of order events named by a `service=host:port` entry of ORDER_EVENT_CONSUMERS,
 * implementing `yugong.orders.v1.OrderEventsConsumerService`, through the generated client. A
 * delivery is not retried here: the relay backs off and tries again on a later pass.
 */
export function grpcEventConsumer(entry: string, signer: AssertionSigner): EventConsumer {
  const separator = entry.indexOf('=');
  const audience = entry.slice(0, separator) as ServiceName;
  const url = entry.slice(separator + 1);
  const channel = createGrpcStub(GRPC_SERVICES.orderEventsConsumer, url, audience);
  const client = new ServiceClient(channel, { signer, deadlineMs: 3_000, retries: 0 });
  return {
    name: entry,
    deliver: async (event, deadlineMs) => {
      await client.call('consumeOrderEvent', { event }, { deadlineMs });
    },
    close: () => channel.close(),
  };
}
