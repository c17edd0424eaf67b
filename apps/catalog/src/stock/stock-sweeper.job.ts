import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
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
 * about. Every `intervalMs` this releases holds held `graceMs` past their expiry, one pass at a
 * time (a slow pass is never overlapped by the next tick).
 */
@Injectable()
export class StockSweeperJob extends PeriodicJob {
  private readonly logger = new Logger(StockSweeperJob.name);

  constructor(
    private readonly stock: StockService,
    @Inject(SWEEPER_SETTINGS) private readonly settings: SweeperSettings,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.settings.intervalMs;
  }

  protected runPass(): Promise<unknown> {
    return this.sweep();
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
