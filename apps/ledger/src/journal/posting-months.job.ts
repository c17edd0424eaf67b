import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { JournalRepository } from './journal.repository';

/** How many months past this one have their partition of `posting` made ahead. */
export const POSTING_MONTHS_AHEAD = 2;
const EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * Makes the partitions of `posting` for this month and the next two, at start and every six
 * hours, so that writers seldom make one themselves: a writer that does holds a lock on the
 * journal's tables until it commits, and two writers making the same month at once deadlock (one is
 * aborted, and its event delivered again). Replicas may run it together: a month made by another is
 * left as it is.
 */
@Injectable()
export class PostingMonthsJob extends PeriodicJob {
  private readonly logger = new Logger(PostingMonthsJob.name);
  protected readonly intervalMs = EVERY_MS;

  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalRepository,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.pass();
  }

  protected override passesAtBoot(): boolean {
    return true;
  }

  /** One pass: answers the months made (none when they were all there). */
  async pass(): Promise<string[]> {
    try {
      const made = await this.journal.ensurePostingMonths(this.em.fork(), POSTING_MONTHS_AHEAD);
      if (made.length > 0) {
        this.logger.log(`partitions of posting made for ${made.join(', ')}`);
      }
      return made;
    } catch (error) {
      this.logger.warn(`partitions of posting not made: ${(error as Error).message}`);
      return [];
    }
  }
}
