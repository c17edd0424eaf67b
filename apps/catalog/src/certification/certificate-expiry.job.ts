import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { CertificationService } from './certification.service';

export const CERTIFICATE_EXPIRY_INTERVAL_MS = Symbol('CERTIFICATE_EXPIRY_INTERVAL_MS');

/**
 * Expires certificates past their end with nobody acting: every interval it marks them expired,
 * takes their products off sale and invalidates the cached listings, one pass at a time. Reads
 * check the period themselves too, so a product is off sale the instant its period ends; this job
 * makes the record say so and drops what the caches still hold.
 */
@Injectable()
export class CertificateExpiryJob extends PeriodicJob {
  private readonly logger = new Logger(CertificateExpiryJob.name);

  constructor(
    private readonly certification: CertificationService,
    @Inject(CERTIFICATE_EXPIRY_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.expire();
  }

  /** One pass; never throws (a failed pass is logged and the next one tries again). */
  async expire(): Promise<number> {
    try {
      const expired = await this.certification.expireDue();
      if (expired > 0) {
        this.logger.log(`expired ${expired} product certificates`);
      }
      return expired;
    } catch (error) {
      this.logger.error(`certificate expiry failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
