import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { LicencesService } from './licences.service';

export const LICENCE_EXPIRY_INTERVAL_MS = Symbol('LICENCE_EXPIRY_INTERVAL_MS');

/**
 * Expires licences past their end with nobody acting, and tells catalog of every licence it has
 * not heard of yet (an expiry, or a move whose push failed), one pass at a time. Catalog checks
 * each licence's period at every read too, so the LOGO is gone the instant a period ends; this job
 * makes the record say so and has catalog drop what its cached listings still hold.
 */
@Injectable()
export class LicenceExpiryJob extends PeriodicJob {
  private readonly logger = new Logger(LicenceExpiryJob.name);

  constructor(
    private readonly licences: LicencesService,
    @Inject(LICENCE_EXPIRY_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.expire();
  }

  /** One pass; never throws (a failed pass is logged and the next one tries again). */
  async expire(): Promise<number> {
    try {
      const expired = await this.licences.expireDue();
      if (expired > 0) {
        this.logger.log(`expired ${expired} licences`);
      }
      return expired;
    } catch (error) {
      this.logger.error(`licence expiry failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
