import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { SlotFunds } from './distribution-plan.util';
import { DistributionRun, type RunState } from './distribution-run.entity';
import { DistributionShare } from './distribution-share.entity';

type Row = Record<string, unknown>;

/** Every query of distribution runs, and what the relief fund can give. */
@Injectable()
export class DistributionRepository {
  /**
   * Per balance row of the fund, what a run may take: its balance less the licence commitments
   * of sales still standing in that row (a refund of such a sale takes them back from that row).
   * Donations stay with the fund in every refund, so they are all distributable.
   */
  async fundAvailable(em: EntityManager, fundCode: string): Promise<SlotFunds[]> {
    const rows = await em.execute<Row[]>(
      `select b.slot,
              b.balance_fen - coalesce((
                select sum(case when p.side = 'credit' then p.fen else -p.fen end)
                  from posting p where p.account_id = a.id and p.slot = b.slot and p.role = 'licence'), 0) as fen
         from account a join account_balance b on b.account_id = a.id
        where a.code = ?
        order by b.slot`,
      [fundCode],
    );
    return rows.map((r) => ({ slot: Number(r.slot), fen: Math.max(0, Number(r.fen)) }));
  }

  /** Approvals one at a time, so that what one reads as available is not spent by another. */
  async lockFund(tx: EntityManager): Promise<void> {
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended('distribution:fund', 10))`);
  }

  async insert(tx: EntityManager, run: DistributionRun, shares: DistributionShare[]): Promise<void> {
    await tx.insert(DistributionRun, run);
    if (shares.length > 0) {
      await tx.insertMany(DistributionShare, shares);
    }
  }

  async find(em: EntityManager, id: string): Promise<DistributionRun | null> {
    return em.findOne(DistributionRun, { id }, { disableIdentityMap: true });
  }

  async findByKey(
    em: EntityManager,
    proposedBy: string,
    idempotencyKey: string,
  ): Promise<DistributionRun | null> {
    return em.findOne(DistributionRun, { proposedBy, idempotencyKey }, { disableIdentityMap: true });
  }

  /** The run's row, locked until the caller's transaction ends. */
  async lockRun(tx: EntityManager, id: string): Promise<{ state: RunState; proposedBy: string } | undefined> {
    const rows = await tx.execute<Row[]>(
      `select state, proposed_by from distribution_run where id = ? for update`,
      [id],
    );
    return rows[0]
      ? { state: rows[0].state as RunState, proposedBy: String(rows[0].proposed_by) }
      : undefined;
  }

  async shares(em: EntityManager, runId: string): Promise<DistributionShare[]> {
    return em.find(
      DistributionShare,
      { runId },
      { orderBy: { householdId: 'asc' }, disableIdentityMap: true },
    );
  }

  async list(em: EntityManager, state?: RunState): Promise<DistributionRun[]> {
    return em.find(DistributionRun, state ? { state } : {}, {
      orderBy: { proposedAt: 'desc', id: 'asc' },
      limit: 500,
      disableIdentityMap: true,
    });
  }

  /**
   * Moves a proposed run to its decision; false when it is no longer proposed (decided
   * meanwhile). Approval names its transaction; the table's CHECKs hold the four-eyes rule.
   */
  async decide(
    tx: EntityManager,
    id: string,
    to: Exclude<RunState, 'proposed'>,
    decidedBy: string,
    reason: string | null,
    transactionId: string | null,
  ): Promise<boolean> {
    const rows = await tx.execute<Row[]>(
      `update distribution_run
          set state = ?, decided_by = ?, decided_at = now(), decision_reason = ?, transaction_id = ?
        where id = ? and state = 'proposed'
        returning id`,
      [to, decidedBy, reason, transactionId, id],
    );
    return rows.length === 1;
  }
}
