import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { LabelsService } from './labels.service';

export const LABEL_SCAN_FLUSH_MS = Symbol('LABEL_SCAN_FLUSH_MS');

/** How often batch ids of the gateway's scans older than a day are deleted. */
const PRUNE_EVERY_MS = 600_000;

/**
 * Writes the scans counted in memory to their codes' rows, every `LABEL_SCAN_FLUSH_MS`, and once
 * more at shutdown. A failed write keeps the scans for the next pass. Every ten minutes, it also
 * forgets the gateway's batch ids older than a day.
 */
@Injectable()
export class LabelScanFlushJob extends PeriodicJob {
  private readonly logger = new Logger(LabelScanFlushJob.name);
  private prunedAt = Date.now();

  constructor(
    private readonly labels: LabelsService,
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
      if (Date.now() - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = Date.now();
        await this.labels.pruneScanBatches();
      }
      return await this.labels.flushScans();
    } catch (error) {
      this.logger.error(`label scans not written yet: ${(error as Error).message}`);
      return 0;
    }
  }
}
