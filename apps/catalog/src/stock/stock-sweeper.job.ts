import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { StockService } from './stock.service';

/** When and how long after expiry the sweeper releases abandoned holds. */
export interface SweeperSettings {
  intervalMs: number;
  graceMs: number;
}

export const SWEEPER_SETTINGS = Symbol('SWEEPER_SETTINGS');

/**
 * The backstop for holds nobody released: orders cancels its expired orders itself, but an order
 * that crashed between holding stock and recording the order leaves holds only catalog knows
 * about. Every `intervalMs` this releases holds held `graceMs` past their expiry.
 */
@Injectable()
export class StockSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StockSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly stock: StockService,
    @Inject(SWEEPER_SETTINGS) private readonly settings: SweeperSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.sweep();
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; never throws (a failed pass is logged and the next one tries again). */
  async sweep(): Promise<number> {
    try {
      const units = await this.stock.releaseExpired(this.settings.graceMs);
      if (units > 0) {
        this.logger.log(`released ${units} units of expired holds`);
      }
      return units;
    } catch (error) {
      this.logger.error(`hold sweep failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
