import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ListingCache } from '../common/listing-cache.store';

export const LISTING_REFRESH_MS = Symbol('LISTING_REFRESH_MS');

/**
 * Keeps the stock shown by cached listings at most `delayMs` behind the lots. Product and lot
 * changes invalidate the listing cache at once (ProductsService); stock moved by checkout does
 * not, because a hot path invalidating the whole namespace on every hold would leave nothing
 * cached. Instead every change of on_hand asks for a refresh, and the first request in a quiet
 * period schedules one invalidation `delayMs` later that covers every change until then.
 */
@Injectable()
export class ListingRefresh implements OnApplicationShutdown {
  private readonly logger = new Logger(ListingRefresh.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly cache: ListingCache,
    @Inject(LISTING_REFRESH_MS) private readonly delayMs: number,
  ) {}

  /** Stock moved: listings will show it within `delayMs`. */
  stockChanged(): void {
    if (this.timer) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.invalidate();
    }, this.delayMs);
    this.timer.unref();
  }

  /** A refresh still pending runs now, so that no change outlives the process unseen. */
  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.running = this.invalidate();
    }
    await this.running;
  }

  private async invalidate(): Promise<void> {
    try {
      await this.cache.invalidate();
    } catch (error) {
      // The cache's own TTLs bound what a missed refresh leaves stale.
      this.logger.warn(`listing refresh failed: ${(error as Error).message}`);
    }
  }
}
