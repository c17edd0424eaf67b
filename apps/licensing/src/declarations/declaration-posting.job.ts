import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Periodic } from '@yugong/shared/jobs';
import { LICENCE_EXPIRY_INTERVAL_MS } from '../licences/licence-expiry.job';
import { DeclarationsService } from './declarations.service';

/**
 * Tells the ledger of declarations and payments it has not acknowledged (it was down when they
 * were written), on the expiry job's interval. The ledger's idempotency keys make a repeat harmless.
 */
@Injectable()
export class DeclarationPostingJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeclarationPostingJob.name);
  private periodic: Periodic | undefined;

  constructor(
    private readonly declarations: DeclarationsService,
    @Inject(LICENCE_EXPIRY_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic = new Periodic(() => this.post(), this.intervalMs);
    this.periodic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.periodic?.stop();
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
