import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Client } from 'pg';

/** The channel the database notifies on every write to agreements (see the migration). */
export const BENEFIT_SHARES_CHANNEL = 'benefit_shares_changed';

/** DI token of {@link BenefitSharesCacheSettings}. */
export const BENEFIT_SHARES_CACHE_SETTINGS = Symbol('BENEFIT_SHARES_CACHE_SETTINGS');

export interface BenefitSharesCacheSettings {
  /** The register's database: a connection of its own listens there. */
  databaseUrl: string;
  /** Longest an answer is kept, should a notification be lost with a connection. */
  ttlMs?: number;
  /** Shares kept in all, over every answer (a producer of 1,000 households holds 1,000). */
  maxShares?: number;
  /** Wait before listening again after the connection is lost. */
  retryMs?: number;
}

/**
 * GetBenefitShares answers per producer and day, in this process's memory. The database
 * notifies on commit of any statement that writes agreements or village collective shares, and
 * every answer is dropped then; until this process listens (at start, after a lost connection)
 * nothing is kept, so an answer is never older than the last notification delivered. A load that
 * overlapped a change is not kept either. This process's own writes drop the answers at once,
 * before the notification comes back.
 */
@Injectable()
export class BenefitSharesCache<T extends { shares: unknown[] } = { shares: unknown[] }>
  implements OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger(BenefitSharesCache.name);
  private readonly answers: LRUCache<string, T>;
  /** Bumped on every change: a load that began under an older one is not kept. */
  private generation = 0;
  private listener: Client | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(@Inject(BENEFIT_SHARES_CACHE_SETTINGS) private readonly settings: BenefitSharesCacheSettings) {
    this.answers = new LRUCache<string, T>({
      maxSize: settings.maxShares ?? 200_000,
      sizeCalculation: (answer) => answer.shares.length + 1,
      ttl: settings.ttlMs ?? 60_000,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.stopped();
    await this.listener?.end().catch(() => undefined);
  }

  /** The kept answer for `producerId` on `date`, or `load()`'s, kept when nothing changed meanwhile. */
  async getOrLoad(producerId: string, date: string, load: () => Promise<T>): Promise<T> {
    const key = `${producerId} ${date}`;
    const kept = this.answers.get(key);
    if (kept) {
      return kept;
    }
    const generation = this.generation;
    const answer = await load();
    if (this.listening && generation === this.generation) {
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** Drops every answer (agreements changed). */
  invalidate(): void {
    this.generation += 1;
    this.answers.clear();
  }

  private stopped(): void {
    this.listening = false;
    this.invalidate();
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.settings.databaseUrl, keepAlive: true });
    this.listener = client;
    client.on('notification', () => this.invalidate());
    const lost = (reason: string) => {
      if (this.listener !== client) {
        return;
      }
      this.listener = undefined;
      this.stopped();
      void client.end().catch(() => undefined);
      if (!this.closed) {
        this.logger.warn(`benefit shares are read uncached until the database listens again: ${reason}`);
        this.retry = setTimeout(() => void this.listen(), this.settings.retryMs ?? 1_000);
      }
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${BENEFIT_SHARES_CHANNEL}`);
      if (this.listener === client && !this.closed) {
        this.invalidate();
        this.listening = true;
      }
    } catch (error) {
      lost((error as Error).message);
    }
  }
}
