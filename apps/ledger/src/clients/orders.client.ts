import { orders } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';

/** Orders as the ledger calls it: as a service, no user. */
export class OrdersClient extends ServiceClient<orders.OrdersServiceClient> {
  /** Outbox events after `afterId`, in delivery order. */
  async eventsAfter(afterId: number, limit: number): Promise<orders.OrderEvent[]> {
    const res = await this.call('listEvents', { afterId, limit }, { idempotent: true });
    return res.events;
  }
}
