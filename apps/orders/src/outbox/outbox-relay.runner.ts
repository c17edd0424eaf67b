import { EntityManager } from '@mikro-orm/postgresql';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { grpcEventConsumer, OutboxRelay } from './outbox.relay';

export const RELAY_CONFIG = Symbol('RELAY_CONFIG');

export interface RelayConfig {
  consumers: string[];
  intervalMs: number;
  deadlineMs: number;
  serviceToken: string;
}

/** Runs the outbox relay every interval while there are consumers to deliver to. */
@Injectable()
export class OutboxRelayRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayRunner.name);
  private relay: OutboxRelay | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly em: EntityManager,
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.consumers.length === 0) {
      return;
    }
    this.relay = new OutboxRelay(
      this.em,
      this.config.consumers.map((url) => grpcEventConsumer(url, this.config.serviceToken)),
      {
        batch: 100,
        deadlineMs: this.config.deadlineMs,
        backoffMs: 500,
        maxBackoffMs: 300_000,
        maxAttempts: 25,
        serviceToken: this.config.serviceToken,
      },
    );
    this.timer = setInterval(() => {
      if (!this.busy) {
        this.busy = true;
        this.running = this.pass().finally(() => (this.busy = false));
      }
    }, this.config.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.relay?.close();
  }

  private async pass(): Promise<void> {
    try {
      // Drain what is due, a batch at a time, then wait for the next tick.
      while ((await this.relay!.relayOnce()) > 0) {
        /* keep going */
      }
    } catch (error) {
      this.logger.error(`outbox relay pass failed: ${(error as Error).message}`);
    }
  }
}
