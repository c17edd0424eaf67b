import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { MonitoringService } from './monitoring.service';

/** How often the job refreshes the cases; 0: never (officers refresh them). */
export const MONITORING_REFRESH_INTERVAL_MS = Symbol('MONITORING_REFRESH_INTERVAL_MS');

/**
 * Refreshes the monitoring cases every interval, as the service itself: new cases open without an
 * officer asking. A pass that cannot reach the ledger is tried again at the next one; replicas
 * running it at once open each case once (see {@link MonitoringService.assess}).
 */
@Injectable()
export class MonitoringRefreshJob extends PeriodicJob {
  private readonly logger = new Logger(MonitoringRefreshJob.name);

  constructor(
    private readonly monitoring: MonitoringService,
    @Inject(MONITORING_REFRESH_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.refresh();
  }

  /** One pass; answers how many cases it opened (0 when the ledger did not answer). */
  async refresh(): Promise<number> {
    try {
      const result = await this.monitoring.assess(undefined, '');
      if (result.opened > 0 || result.refreshed > 0) {
        this.logger.log(
          `monitoring: ${result.assessed} households assessed, ${result.flagged} flagged, ${result.opened} cases opened, ${result.refreshed} refreshed`,
        );
      }
      return result.opened;
    } catch (error) {
      this.logger.warn(`monitoring refresh failed, trying again next pass: ${(error as Error).message}`);
      return 0;
    }
  }
}
