import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { ledger } from '@yugong/contracts';
import { Accepts, USER, callerOf, toTimestamp } from '@yugong/shared/grpc';
import type { PayoutBatch } from './payout-batch.entity';
import { PayoutsService, type BatchDetail } from './payouts.service';

function batchMessage(b: PayoutBatch): ledger.PayoutBatch {
  return {
    id: b.id,
    number: b.number,
    state: b.state,
    minimumFen: b.minimumFen,
    totalFen: b.totalFen,
    lineCount: b.lineCount,
    skippedCount: b.skippedCount,
    paidFen: b.paidFen,
    failedFen: b.failedFen,
    memo: b.memo,
    createdBy: b.createdBy,
    createdAt: toTimestamp(b.createdAt),
    sentBy: b.sentBy ?? '',
    sentAt: b.sentAt ? toTimestamp(b.sentAt) : undefined,
    settledBy: b.settledBy ?? '',
    settledAt: b.settledAt ? toTimestamp(b.settledAt) : undefined,
  };
}

function detailMessage({ batch, lines }: BatchDetail): { detail: ledger.PayoutBatchDetail } {
  return {
    detail: {
      batch: batchMessage(batch),
      lines: lines.map((l) => ({
        householdId: l.payeeKind === 'household' ? l.payeeId : '',
        payeeKind: l.payeeKind,
        payeeId: l.payeeId,
        amountFen: l.amountFen,
        reference: l.reference ?? '',
        status: l.status,
        skipReason: l.skipReason ?? '',
      })),
    },
  };
}

/** The PayoutsService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@ledger.PayoutsServiceControllerMethods()
export class PayoutsGrpcController implements ledger.PayoutsServiceController {
  constructor(private readonly payouts: PayoutsService) {}

  @Accepts({ gateway: USER })
  async createPayoutBatch(
    request: ledger.CreatePayoutBatchRequest,
    metadata?: Metadata,
  ): Promise<ledger.CreatePayoutBatchResponse> {
    return detailMessage(await this.payouts.create(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async getPayoutBatch(
    request: ledger.GetPayoutBatchRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetPayoutBatchResponse> {
    return detailMessage(await this.payouts.get(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async listPayoutBatches(
    request: ledger.ListPayoutBatchesRequest,
    metadata?: Metadata,
  ): Promise<ledger.ListPayoutBatchesResponse> {
    return { batches: (await this.payouts.list(callerOf(metadata), request)).map(batchMessage) };
  }

  @Accepts({ gateway: USER })
  async markPayoutBatchSent(
    request: ledger.MarkPayoutBatchSentRequest,
    metadata?: Metadata,
  ): Promise<ledger.MarkPayoutBatchSentResponse> {
    return detailMessage(await this.payouts.markSent(callerOf(metadata), request));
  }

  @Accepts({ gateway: USER })
  async settlePayoutBatch(
    request: ledger.SettlePayoutBatchRequest,
    metadata?: Metadata,
  ): Promise<ledger.SettlePayoutBatchResponse> {
    return detailMessage(await this.payouts.settle(callerOf(metadata), request));
  }
}
