import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { LabelScans } from './label-scans.service';

export const LABEL_SCAN_FLUSH_MS = Symbol('LABEL_SCAN_FLUSH_MS');

/**
 * Sends the scans this gateway answered to licensing, every `LABEL_SCAN_FLUSH_MS`, and once more
 * at shutdown. A batch licensing did not take is sent again, under the same id, by the next pass.
 */
@Injectable()
export class LabelScanFlushJob extends PeriodicJob {
  private readonly logger = new Logger(LabelScanFlushJob.name);

  constructor(
    private readonly scans: LabelScans,
    @Inject(LABEL_SCAN_FLUSH_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.flush();
  }

  protected override async afterLastPass(): Promise<void> {
    await this.flush();
  }

  /** One pass; never throws. */
  async flush(): Promise<number> {
    try {
      return await this.scans.flush();
    } catch (error) {
      this.logger.warn(`label scans not sent to licensing yet: ${(error as Error).message}`);
      return 0;
    }
  }
}
