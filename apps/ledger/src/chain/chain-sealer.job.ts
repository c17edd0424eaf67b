import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { ChainService } from './chain.service';

export const SEAL_INTERVAL_MS = Symbol('SEAL_INTERVAL_MS');

/**
 * The sequencer: every interval, seals the transactions committed since the last pass into the
 * hash chain, in commit order, so that each is sealed within about one interval of its commit.
 * Writers never wait for it. Replicas share the work under an advisory lock.
 */
@Injectable()
export class ChainSealerJob extends PeriodicJob {
  private readonly logger = new Logger(ChainSealerJob.name);

  constructor(
    private readonly chain: ChainService,
    @Inject(SEAL_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.pass();
  }

  private async pass(): Promise<void> {
    try {
      while ((await this.chain.sealOnce()) > 0) {
        /* keep sealing while there is a backlog */
      }
    } catch (error) {
      this.logger.error(`sealing pass failed: ${(error as Error).message}`);
    }
  }
}
