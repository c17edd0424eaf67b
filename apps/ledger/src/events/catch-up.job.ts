import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicJob } from '@yugong/shared/jobs';
import { continueTrace, SERVICE_ATTRIBUTE, traceJobPass } from '@yugong/shared/telemetry';
import { OrdersClient } from '../clients/orders.client';
import { OrderEventsRepository } from './order-events.repository';
import { OrderEventsService } from './order-events.service';

export const CATCH_UP_INTERVAL_MS = Symbol('CATCH_UP_INTERVAL_MS');

const CURSOR = 'orders.outbox';
const PAGE = 200;

/**
 * Reads orders' outbox through `ListEvents(afterId)` from where it last stopped, once at start and
 * then every interval, and applies every event: orders paid before the ledger existed, or while it
 * was down, are posted too, and each once (events the relay pushed meanwhile are already applied).
 * The cursor moves only past events applied, so a failure is read again on the next pass.
 */
@Injectable()
export class CatchUpJob extends PeriodicJob {
  private readonly logger = new Logger(CatchUpJob.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: OrderEventsService,
    private readonly cursors: OrderEventsRepository,
    private readonly orders: OrdersClient,
    @Inject(CATCH_UP_INTERVAL_MS) protected readonly intervalMs: number,
  ) {
    super();
  }

  protected runPass(): Promise<unknown> {
    return this.catchUp();
  }

  protected override passesAtBoot(): boolean {
    return true;
  }

  /**
   * One pass to the end of the outbox; answers how many events it applied. When tracing, the pass
   * is a trace of its own (`catch-up orders.outbox`: its ListEvents calls and cursor), and each
   * event is applied in a CONSUMER span continuing the trace of the request that wrote it (as the
   * relay's push does), linked to the pass and the pass to it.
   */
  catchUp(): Promise<number> {
    return traceJobPass('ledger', `catch-up ${CURSOR}`, async (span) => {
      const applied = await this.pass();
      span?.setAttribute('yugong.events_applied', applied);
      return applied;
    });
  }

  private async pass(): Promise<number> {
    let applied = 0;
    try {
      let after = await this.cursors.cursor(this.em.fork(), CURSOR);
      for (;;) {
        const page = await this.orders.eventsAfter(after, PAGE);
        for (const event of page) {
          const apply = () => this.events.apply(event);
          const attributes = { 'yugong.event_id': event.eventId, [SERVICE_ATTRIBUTE]: 'ledger' };
          const options = { kind: 'consumer' as const, linkActive: true };
          if (await continueTrace(event.traceContext, `catch-up ${event.type}`, attributes, apply, options)) {
            applied++;
          }
          after = event.id;
        }
        await this.cursors.advanceCursor(this.em.fork(), CURSOR, after);
        if (page.length < PAGE) {
          break;
        }
      }
      if (applied > 0) {
        this.logger.log(`caught up: ${applied} order event(s) applied from orders' outbox`);
      }
    } catch (error) {
      this.logger.warn(`catch-up with orders stopped: ${(error as Error).message}`);
    }
    return applied;
  }
}
