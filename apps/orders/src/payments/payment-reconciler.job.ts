import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OrderRepository } from '../orders/order.repository';
import { PaymentsService } from './payments.service';
import { PeriodicJob } from '@yugong/shared/jobs';

export const RECONCILER_SETTINGS = Symbol('RECONCILER_SETTINGS');

export interface ReconcilerSettings {
  /** A card order unpaid this long after checkout is checked with the provider. */
  afterMs: number;
  intervalMs: number;
  /** Orders asked about per pass. */
  batch?: number;
}

/** What one pass did. */
export interface ReconcilePass {
  checked: number;
  paid: number;
  cancelled: number;
  refundsSent: number;
}

/**
 * So that a lost webhook loses nothing: every interval, asks the provider about card orders
 * still pending payment past the threshold (least recently asked first, claimed with SKIP LOCKED
 * so that replicas share the work) and applies what it says, and sends again the refunds that
 * could not reach the provider. Only runs when card payments are configured.
 */
@Injectable()
export class PaymentReconcilerJob extends PeriodicJob {
  private readonly logger = new Logger(PaymentReconcilerJob.name);

  constructor(
    private readonly em: EntityManager,
    private readonly payments: PaymentsService,
    private readonly repo: OrderRepository,
    @Inject(RECONCILER_SETTINGS) private readonly settings: ReconcilerSettings,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.settings.intervalMs;
  }

  protected runPass(): Promise<unknown> {
    return this.reconcile();
  }

  protected override runs(): boolean {
    return this.payments.takesCards;
  }

  /** One pass; a failure of one order is logged and left for the next pass. */
  async reconcile(): Promise<ReconcilePass> {
    const pass: ReconcilePass = { checked: 0, paid: 0, cancelled: 0, refundsSent: 0 };
    try {
      const ids = await this.em
        .fork()
        .transactional((tx) =>
          this.repo.claimUnpaidByCard(
            tx,
            new Date(Date.now() - this.settings.afterMs),
            this.settings.batch ?? 50,
          ),
        );
      for (const id of ids) {
        pass.checked += 1;
        try {
          const before = await this.repo.findById(this.em.fork(), id);
          const outcome = await this.payments.reconcile(id);
          const after = await this.repo.findById(this.em.fork(), id);
          if (outcome === 'applied' && after?.status === 'paid') {
            pass.paid += 1;
          } else if (before?.status !== after?.status && after?.status === 'cancelled') {
            pass.cancelled += 1;
          }
        } catch (error) {
          this.logger.warn(`order ${id} not reconciled: ${(error as Error).message}`);
        }
      }
      pass.refundsSent = await this.payments.retryPendingRefunds();
    } catch (error) {
      this.logger.error(`reconcile pass failed: ${(error as Error).message}`);
    }
    if (pass.paid + pass.cancelled > 0) {
      this.logger.log(
        `reconciled ${pass.checked} unpaid card orders: ${pass.paid} paid, ${pass.cancelled} cancelled`,
      );
    }
    return pass;
  }
}
