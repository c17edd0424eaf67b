import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { OrdersService } from './orders.service';

export const ORDER_SWEEP_INTERVAL_MS = Symbol('ORDER_SWEEP_INTERVAL_MS');

/** Cancels unpaid orders whose stock hold has lapsed, releasing the stock, every interval. */
@Injectable()
export class OrderSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly orders: OrdersService,
    @Inject(ORDER_SWEEP_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.sweep();
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; a failure is logged and the next pass tries again. */
  async sweep(): Promise<number> {
    try {
      const cancelled = await this.orders.cancelExpired();
      if (cancelled > 0) {
        this.logger.log(`cancelled ${cancelled} unpaid orders past their hold`);
      }
      return cancelled;
    } catch (error) {
      this.logger.error(`order sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
