import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { JournalRepository } from './journal.repository';

export const BALANCE_VACUUM_INTERVAL_MS = Symbol('BALANCE_VACUUM_INTERVAL_MS');

/**
 * Vacuums the balance rows every interval (`BALANCE_VACUUM_INTERVAL_MS`, 1 s; 0: never). Every
 * posting statement updates a few of `account_balance`'s rows, so at a hundred sales a second
 * each row gains dozens of dead versions a second; until a vacuum removes them, every look-up of
 * the row by its key walks them all (a batch of sales read 10,000 buffers for 93 balance rows after
 * 13,000 updates), and autovacuum visits a table at most once a minute (or never, where it is
 * off). The table is small, and a vacuum skips the pages no write touched since the last, so a
 * pass costs about a millisecond. Replicas may run it together: a vacuum already running is left
 * to finish.
 */
@Injectable()
export class BalanceVacuumJob extends PeriodicJob {
  private readonly logger = new Logger(BalanceVacuumJob.name);

  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalRepository,
    @Inject(BALANCE_VACUUM_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.pass();
  }

  /** One pass; false when the vacuum failed (logged, tried again next interval). */
  async pass(): Promise<boolean> {
    try {
      await this.journal.vacuumBalances(this.em.fork());
      return true;
    } catch (error) {
      this.logger.warn(`balance rows not vacuumed: ${(error as Error).message}`);
      return false;
    }
  }
}
