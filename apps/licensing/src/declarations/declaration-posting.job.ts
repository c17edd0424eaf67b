import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { LICENCE_EXPIRY_INTERVAL_MS } from '../licences/licence-expiry.job';
import { DeclarationsService } from './declarations.service';

/**
 * Tells the ledger of declarations and payments it has not acknowledged (it was down when they
 * were written), on the expiry job's interval. The ledger's idempotency keys make a repeat harmless.
 */
@Injectable()
export class DeclarationPostingJob extends PeriodicJob {
  private readonly logger = new Logger(DeclarationPostingJob.name);

  constructor(
    private readonly declarations: DeclarationsService,
    @Inject(LICENCE_EXPIRY_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.post();
  }

  /** One pass; never throws. */
  async post(): Promise<number> {
    try {
      const posted = await this.declarations.postPending();
      if (posted > 0) {
        this.logger.log(`posted ${posted} declarations and payments to the ledger`);
      }
      return posted;
    } catch (error) {
      this.logger.error(`declaration posting failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
