import { EntityManager } from '@mikro-orm/postgresql';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { AssertionSigner } from '@yugong/shared/auth';
import { Periodic } from '@yugong/shared/jobs';
import { grpcEventConsumer } from './order-events.client';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from './outbox.repository';

export const RELAY_CONFIG = Symbol('RELAY_CONFIG');

export interface RelayConfig {
  consumers: string[];
  intervalMs: number;
  deadlineMs: number;
  /** Signs each delivery as orders. */
  signer: AssertionSigner;
}

/** Runs the outbox relay every interval while there are consumers to deliver to. */
@Injectable()
export class OutboxRelayJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayJob.name);
  private relay: OutboxRelay | undefined;
  private periodic: Periodic | undefined;
  private stopping = false;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxRepository,
    @Inject(RELAY_CONFIG) private readonly config: RelayConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.consumers.length === 0) {
      return;
    }
    this.relay = new OutboxRelay(
      this.em,
      this.outbox,
      this.config.consumers.map((entry) => grpcEventConsumer(entry, this.config.signer)),
      {
        batch: 100,
        deadlineMs: this.config.deadlineMs,
        backoffMs: 500,
        maxBackoffMs: 300_000,
        maxAttempts: 25,
      },
    );
    this.periodic = new Periodic(() => this.pass(), this.config.intervalMs);
    this.periodic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // A pass in flight finishes its batch, not the whole backlog: the rest waits in the outbox.
    this.stopping = true;
    await this.periodic?.stop();
    this.relay?.close();
  }

  private async pass(): Promise<void> {
    try {
      // Drain what is due, a batch at a time, then wait for the next tick.
      while (!this.stopping && (await this.relay!.relayOnce()) > 0) {
        /* keep going */
      }
    } catch (error) {
      this.logger.error(`outbox relay pass failed: ${(error as Error).message}`);
    }
  }
}
