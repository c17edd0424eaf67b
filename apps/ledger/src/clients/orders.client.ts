import { orders } from '@yugong/contracts';
import { ServiceClient, toTimestamp } from '@yugong/shared/grpc';

/** Orders as the ledger calls it: as a service, no user. */
export class OrdersClient extends ServiceClient<orders.OrdersServiceClient> {
  /** Outbox events after `afterId`, in delivery order. */
  async eventsAfter(afterId: number, limit: number): Promise<orders.OrderEvent[]> {
    const res = await this.call('listEvents', { afterId, limit }, { idempotent: true });
    return res.events;
  }

  /** One page of the card processor's balance entries created in `from`..`to`, newest first. */
  async balanceEntries(
    from: Date,
    to: Date,
    startingAfter: string,
    deadlineMs: number,
  ): Promise<orders.ListProviderBalanceTransactionsResponse> {
    return this.call(
      'listProviderBalanceTransactions',
      { from: toTimestamp(from), to: toTimestamp(to), startingAfter, limit: 100 },
      { idempotent: true, deadlineMs },
    );
  }
}
