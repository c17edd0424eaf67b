import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { ledger } from '@yugong/contracts';
import { canReadAll } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import {
  Accepts,
  PUBLIC,
  SERVICE,
  USER,
  callOf,
  callerOf,
  fromTimestamp,
  toTimestamp,
} from '@yugong/shared/grpc';
import { ChainService } from './chain/chain.service';
import { CommitmentsService } from './commitments/commitments.service';
import { AuditService } from './audit/audit.service';
import { StatementsService } from './statements/statements.service';
import { ReconciliationService } from './reconciliation/reconciliation.service';

const GROUPINGS: Record<string, string> = {
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_TOWN]: 'town',
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_VILLAGE]: 'village',
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_HOUSEHOLD]: 'household',
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_PRODUCER]: 'producer',
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_PRODUCT]: 'product',
  [ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_MONTH]: 'month',
};

/** The LedgerService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@ledger.LedgerServiceControllerMethods()
export class LedgerGrpcController implements ledger.LedgerServiceController {
  constructor(
    private readonly chain: ChainService,
    private readonly audit: AuditService,
    private readonly statements: StatementsService,
    private readonly reconciliation: ReconciliationService,
    private readonly commitments: CommitmentsService,
  ) {}

  // Licensing, telling the ledger of a licensee's declaration of off-platform sales.
  @Accepts({ licensing: SERVICE })
  postDeclaredCommitment(
    request: ledger.PostDeclaredCommitmentRequest,
  ): Promise<ledger.PostDeclaredCommitmentResponse> {
    return this.commitments.postDeclared({
      ...request,
      declaredAt: request.declaredAt ? fromTimestamp(request.declaredAt) : undefined,
    });
  }

  // Licensing, telling the ledger an officer recorded a declaration's payment.
  @Accepts({ licensing: SERVICE })
  settleDeclaredCommitment(
    request: ledger.SettleDeclaredCommitmentRequest,
  ): Promise<ledger.SettleDeclaredCommitmentResponse> {
    return this.commitments.settleDeclared({
      ...request,
      receivedAt: request.receivedAt ? fromTimestamp(request.receivedAt) : undefined,
    });
  }

  // Auditors and the relief office, to publish or check the head.
  @Accepts({ gateway: USER })
  async getChainHead(
    _request: ledger.GetChainHeadRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetChainHeadResponse> {
    const caller = callerOf(metadata);
    if (caller && !canReadAll(caller)) {
      throw new PermissionDenied('only auditors and the relief office read the chain head');
    }
    const { link, unsealed } = await this.chain.head();
    return {
      sequence: link?.seq ?? 0,
      transactionId: link?.transactionId ?? '',
      hash: link?.hash ?? '',
      sealedAt: link ? toTimestamp(link.sealedAt) : undefined,
      unsealed,
    };
  }

  @Accepts({ gateway: USER })
  traceOrder(request: ledger.TraceOrderRequest, metadata?: Metadata): Promise<ledger.TraceOrderResponse> {
    return this.audit.traceOrder(callerOf(metadata), request);
  }

  // A lot's impact is public (the label verify page); identities never are.
  @Accepts({ gateway: PUBLIC })
  traceLot(request: ledger.TraceLotRequest, metadata?: Metadata): Promise<ledger.TraceLotResponse> {
    return this.audit.traceLot(callerOf(metadata), request);
  }

  @Accepts({ gateway: USER })
  getTrialBalance(
    _request: ledger.GetTrialBalanceRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetTrialBalanceResponse> {
    return this.audit.trialBalance(callerOf(metadata));
  }

  @Accepts({ gateway: USER })
  getReliefIncome(
    request: ledger.GetReliefIncomeRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetReliefIncomeResponse> {
    return this.audit.reliefIncome(callerOf(metadata), {
      groupBy: GROUPINGS[request.groupBy] ?? request.groupBy,
      from: fromTimestamp(request.from),
      to: fromTimestamp(request.to),
    });
  }

  @Accepts({ gateway: PUBLIC })
  getPublicSummary(): Promise<ledger.GetPublicSummaryResponse> {
    return this.audit.publicSummary();
  }

  // Officers and auditors in full; producer staff their own sales' credits; the gateway checks
  // first that the household is linked to the staff's producer.
  @Accepts({ gateway: USER })
  getHouseholdStatement(
    request: ledger.GetHouseholdStatementRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetHouseholdStatementResponse> {
    return this.statements.householdStatement(callOf(metadata), {
      householdId: request.householdId,
      from: fromTimestamp(request.from),
      to: fromTimestamp(request.to),
      cursor: request.cursor,
      limit: request.limit,
    });
  }

  // The producer's staff, officers, auditors.
  @Accepts({ gateway: USER })
  getProducerBalance(
    request: ledger.GetProducerBalanceRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetProducerBalanceResponse> {
    return this.statements.producerBalance(callOf(metadata), request);
  }

  // Officers and auditors; beneficiaries refreshing its monitoring cases.
  @Accepts({ gateway: USER, beneficiaries: SERVICE })
  getHouseholdIncomeWindows(
    request: ledger.GetHouseholdIncomeWindowsRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetHouseholdIncomeWindowsResponse> {
    return this.statements.incomeWindows(callOf(metadata), {
      asOf: fromTimestamp(request.asOf),
      windowMonths: request.windowMonths,
    });
  }

  // Auditors and the relief office.
  @Accepts({ gateway: USER })
  async getReconciliation(
    request: ledger.GetReconciliationRequest,
    metadata?: Metadata,
  ): Promise<ledger.GetReconciliationResponse> {
    const report = await this.reconciliation.report(callerOf(metadata), {
      from: fromTimestamp(request.from),
      to: fromTimestamp(request.to),
    });
    return {
      items: report.items.map((i) => ({
        kind: i.kind,
        reference: i.reference,
        orderId: i.orderId,
        ledgerFen: i.ledgerFen,
        externalFen: i.externalFen,
        differenceFen: i.differenceFen,
        currency: i.currency,
        occurredAt: toTimestamp(i.occurredAt),
        note: i.note,
      })),
      processorEntries: report.processorEntries,
      ledgerEntries: report.ledgerEntries,
      payoutLines: report.payoutLines,
      processorChecked: report.processorChecked,
    };
  }
}
