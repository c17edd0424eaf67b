import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { ledger } from '@yugong/contracts';
import { Accepts, USER, callerOf, toTimestamp } from '@yugong/shared/grpc';
import { AdjustmentsService } from './adjustments/adjustments.service';
import type { SuspenseRow } from './adjustments/adjustments.repository';
import type { DistributionRun } from './distribution/distribution-run.entity';
import { DistributionService, type RunDetail } from './distribution/distribution.service';

const money = (fen: number, currency = 'CNY') => ({ fen, currency });

/** `payment:<method>:<reference>:unmatched`: the suspense transaction's key names the payment. */
function paymentOf(key: string): { method: string; reference: string } {
  const parts = key.split(':');
  return { method: parts[1] ?? '', reference: parts.slice(2, -1).join(':') };
}

function suspenseItem(row: SuspenseRow): ledger.SuspenseItem {
  const s = row.settlement;
  return {
    transactionId: row.transactionId,
    orderId: row.orderId ?? '',
    ...paymentOf(row.idempotencyKey),
    amount: money(row.fen, row.currency),
    receivedAt: toTimestamp(row.occurredAt),
    memo: row.memo,
    state: s?.outcome ?? 'open',
    settlementTransactionId: s?.transactionId ?? '',
    settledBy: s?.settledBy ?? '',
    settlementReason: s?.reason ?? '',
    settledAt: s ? toTimestamp(s.settledAt) : undefined,
  };
}

function runMessage(run: DistributionRun): ledger.DistributionRun {
  return {
    id: run.id,
    state: run.state,
    policy: run.policy,
    townId: run.townId ?? '',
    villageId: run.villageId ?? '',
    status: run.statusFilter ?? '',
    allAvailable: run.allAvailable,
    total: money(run.totalFen, run.currency),
    recipients: run.recipients,
    proposedBy: run.proposedBy,
    proposedAt: toTimestamp(run.proposedAt),
    decidedBy: run.decidedBy ?? '',
    decidedAt: run.decidedAt ? toTimestamp(run.decidedAt) : undefined,
    decisionReason: run.decisionReason ?? '',
    transactionId: run.transactionId ?? '',
    memo: run.memo,
    statusWeights: run.statusWeights,
  };
}

function detailMessage({ run, shares }: RunDetail): { detail: ledger.DistributionRunDetail } {
  return {
    detail: {
      run: runMessage(run),
      shares: shares.map((s) => ({
        householdId: s.householdId,
        villageId: s.villageId,
        townId: s.townId,
        members: s.members,
        status: s.status,
        weight: s.weight,
        amount: money(s.fen, run.currency),
      })),
    },
  };
}

/** The ReliefOfficeService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@ledger.ReliefOfficeServiceControllerMethods()
export class ReliefOfficeGrpcController implements ledger.ReliefOfficeServiceController {
  constructor(
    private readonly adjustments: AdjustmentsService,
    private readonly distribution: DistributionService,
  ) {}

  @Accepts({ gateway: USER })
  async listUnallocatedShares(
    _request: ledger.ListUnallocatedSharesRequest,
    metadata?: Metadata,
  ): Promise<ledger.ListUnallocatedSharesResponse> {
    const rows = await this.adjustments.unallocatedBalances(callerOf(metadata));
    return { shares: rows.map((r) => ({ producerId: r.producerId, amount: money(r.fen, r.currency) })) };
  }

  @Accepts({ gateway: USER })
  async allocateUnallocatedShare(
    request: ledger.AllocateUnallocatedShareRequest,
    metadata?: Metadata,
  ): Promise<ledger.AllocateUnallocatedShareResponse> {
    const res = await this.adjustments.allocate(callerOf(metadata), request);
    return {
      transactionId: res.transactionId,
      producerId: res.producerId,
      amount: money(res.fen),
      allocations: res.allocations.map((a) => ({
        householdId: a.householdId,
        villageId: a.villageId ?? '',
        amount: money(a.fen),
      })),
      replayed: res.replayed,
    };
  }

  @Accepts({ gateway: USER })
  async listSuspense(
    _request: ledger.ListSuspenseRequest,
    metadata?: Metadata,
  ): Promise<ledger.ListSuspenseResponse> {
    return { items: (await this.adjustments.listSuspense(callerOf(metadata))).map(suspenseItem) };
  }

  @Accepts({ gateway: USER })
  async settleSuspense(
    request: ledger.SettleSuspenseRequest,
    metadata?: Metadata,
  ): Promise<ledger.SettleSuspenseResponse> {
    return { item: suspenseItem(await this.adjustments.settle(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async proposeDistributionRun(
    request: ledger.ProposeDistributionRunRequest,
    metadata?: Metadata,
  ): Promise<ledger.ProposeDistributionRunResponse> {
    return detailMessage(await this.distribution.propose(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async getDistributionRun(
    request: ledger.GetDistributionRunRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetDistributionRunResponse> {
    return detailMessage(await this.distribution.get(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async listDistributionRuns(
    request: ledger.ListDistributionRunsRequest,
    metadata?: Metadata,
  ): Promise<ledger.ListDistributionRunsResponse> {
    return { runs: (await this.distribution.list(callerOf(metadata), request)).map(runMessage) };
  }

  @Accepts({ gateway: USER })
  async approveDistributionRun(
    request: ledger.ApproveDistributionRunRequest,
    metadata?: Metadata,
  ): Promise<ledger.ApproveDistributionRunResponse> {
    return detailMessage(await this.distribution.approve(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async rejectDistributionRun(
    request: ledger.RejectDistributionRunRequest,
    metadata?: Metadata,
  ): Promise<ledger.RejectDistributionRunResponse> {
    return detailMessage(await this.distribution.reject(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async cancelDistributionRun(
    request: ledger.CancelDistributionRunRequest,
    metadata?: Metadata,
  ): Promise<ledger.CancelDistributionRunResponse> {
    return detailMessage(await this.distribution.cancel(callerOf(metadata), request));
  }
}
