import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { orders } from '@yugong/contracts';
import { PeriodicJob } from '@yugong/shared/jobs';
import { continueTrace, SERVICE_ATTRIBUTE, traceJobPass } from '@yugong/shared/telemetry';
import { OrdersClient } from '../clients/orders.client';
import { OrderEventsRepository } from './order-events.repository';
import { OrderEventsService } from './order-events.service';

export const CATCH_UP_INTERVAL_MS = Symbol('CATCH_UP_INTERVAL_MS');

const CURSOR = 'orders.outbox';
const PAGE = 200;
/** Orders of a page whose events are applied at once: enough to fill the writer's group commits. */
const ORDERS_AT_ONCE = 32;

/**
 * Reads orders' outbox through `ListEvents(afterId)` from where it last stopped, once at start and
 * then every interval, and applies every event: orders paid before the ledger existed, or while it
 * was down, are posted too, and each once (events the relay pushed meanwhile are already applied).
 * The cursor moves only past events applied, so a failure is read again on the next pass.
 *
 * Within a page, each order's events are applied one after another, in their order, and up to
 * {@link ORDERS_AT_ONCE} orders at once: a backlog (the demo's 2020, a ledger that was down) goes
 * through the writer's group commit many events to a round trip, not one.
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
        applied += await this.applyPage(page);
        after = page.at(-1)?.id ?? after;
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

  /** Applies a page, each order's events in sequence; answers how many were applied. */
  private async applyPage(page: orders.OrderEvent[]): Promise<number> {
    const byOrder = new Map<string, orders.OrderEvent[]>();
    for (const event of page) {
      const chain = byOrder.get(event.orderId);
      if (chain) {
        chain.push(event);
      } else {
        byOrder.set(event.orderId, [event]);
      }
    }
    const chains = [...byOrder.values()];
    let applied = 0;
    const failures: unknown[] = [];
    const work = async () => {
      for (let chain = chains.shift(); chain; chain = chains.shift()) {
        try {
          for (const event of chain) {
            applied += (await this.applyOne(event)) ? 1 : 0;
          }
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ORDERS_AT_ONCE, chains.length) }, work));
    if (failures.length > 0) {
      throw failures[0];
    }
    return applied;
  }

  private applyOne(event: orders.OrderEvent): Promise<boolean> {
    const apply = () => this.events.apply(event);
    const attributes = { 'yugong.event_id': event.eventId, [SERVICE_ATTRIBUTE]: 'ledger' };
    const options = { kind: 'consumer' as const, linkActive: true };
    return continueTrace(event.traceContext, `catch-up ${event.type}`, attributes, apply, options);
  }
}
