import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrdersService } from './orders.service';
import { PeriodicJob } from '@yugong/shared/jobs';

export const ORDER_SWEEP_INTERVAL_MS = Symbol('ORDER_SWEEP_INTERVAL_MS');
/** Days after its last shipment or delivery that a shipped or delivered order completes. */
export const AUTO_COMPLETE_DAYS = Symbol('AUTO_COMPLETE_DAYS');

const DAY_MS = 86_400_000;

/**
 * Every interval: cancels unpaid orders whose stock hold has lapsed (releasing the stock), and
 * completes shipped or delivered orders left unconfirmed past AUTO_COMPLETE_DAYS.
 */
@Injectable()
export class OrderSweeperJob extends PeriodicJob {
  private readonly logger = new Logger(OrderSweeperJob.name);

  constructor(
    private readonly orders: OrdersService,
    @Inject(ORDER_SWEEP_INTERVAL_MS) protected readonly intervalMs: number,
    @Inject(AUTO_COMPLETE_DAYS) private readonly autoCompleteDays: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.sweep();
  }

  /** One pass; a failure is logged and the next pass tries again. */
  async sweep(): Promise<number> {
    try {
      const cancelled = await this.orders.cancelExpired();
      if (cancelled > 0) {
        this.logger.log(`cancelled ${cancelled} unpaid orders past their hold`);
      }
      const completed = await this.orders.completeSettled(
        new Date(Date.now() - this.autoCompleteDays * DAY_MS),
      );
      if (completed > 0) {
        this.logger.log(
          `completed ${completed} orders shipped or delivered ${this.autoCompleteDays} days ago`,
        );
      }
      return cancelled;
    } catch (error) {
      this.logger.error(`order sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
