import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { ledger } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { isoOf } from '../catalog/catalog.views';
import { RequestId, uuidParam } from '../common/request-context.util';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from '../orders/order-headers.util';
import {
  AllocateDto,
  ListRunsQuery,
  ProposeRunDto,
  ReasonDto,
  SettleSuspenseDto,
} from './dto/relief-office.dto';
import { ReliefOfficeClient } from './relief-office.client';

const fen = (m?: { fen: number }) => m?.fen ?? 0;

function suspenseJson(i: ledger.SuspenseItem) {
  return {
    transactionId: i.transactionId,
    orderId: i.orderId || null,
    method: i.method,
    reference: i.reference,
    amountFen: fen(i.amount),
    currency: i.amount?.currency || 'CNY',
    receivedAt: i.receivedAt ? isoOf(i.receivedAt) : null,
    memo: i.memo,
    state: i.state,
    settlementTransactionId: i.settlementTransactionId || null,
    settledBy: i.settledBy || null,
    settlementReason: i.settlementReason || null,
    settledAt: i.settledAt ? isoOf(i.settledAt) : null,
  };
}

function runJson(r: ledger.DistributionRun) {
  return {
    id: r.id,
    state: r.state,
    policy: r.policy,
    townId: r.townId || null,
    villageId: r.villageId || null,
    status: r.status || null,
    statusWeights: r.statusWeights,
    allAvailable: r.allAvailable,
    totalFen: fen(r.total),
    recipients: r.recipients,
    proposedBy: r.proposedBy,
    proposedAt: r.proposedAt ? isoOf(r.proposedAt) : null,
    decidedBy: r.decidedBy || null,
    decidedAt: r.decidedAt ? isoOf(r.decidedAt) : null,
    decisionReason: r.decisionReason || null,
    transactionId: r.transactionId || null,
    memo: r.memo,
  };
}

function detailJson(d: ledger.DistributionRunDetail | undefined) {
  return {
    ...runJson(d!.run!),
    shares: d!.shares.map((s) => ({
      householdId: s.householdId,
      villageId: s.villageId,
      townId: s.townId,
      members: s.members,
      status: s.status,
      weight: s.weight,
      amountFen: fen(s.amount),
    })),
  };
}

/**
 * The relief office's acts on the ledger: allocating a producer's unallocated household share,
 * settling payments held in suspense, and distribution runs of the relief fund under four eyes.
 * Officers act, auditors read; the ledger checks each caller again and holds the rules.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger')
export class ReliefOfficeController {
  constructor(private readonly office: ReliefOfficeClient) {}

  /** Producers whose household share waits for an officer, with the fen waiting. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('unallocated-shares')
  async unallocated(@Caller() caller: CallerIdentity, @RequestId() requestId: string) {
    const res = await this.office.call('listUnallocatedShares', {}, { caller, requestId, idempotent: true });
    return { items: res.shares.map((s) => ({ producerId: s.producerId, amountFen: fen(s.amount) })) };
  }

  /** Allocates it (all, or `amountFen`) to households by weight; repeat the Idempotency-Key to get the same answer. */
  @Roles('relief_officer', 'admin')
  @Post('unallocated-shares/:producerId/allocations')
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: true })
  async allocate(
    @Param('producerId', uuidParam('producerId')) producerId: string,
    @Body() body: AllocateDto,
    @Headers('idempotency-key') key: string | undefined,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'allocateUnallocatedShare',
      {
        producerId,
        households: body.households.map((h) => ({ householdId: h.householdId, weight: h.weight ?? 0 })),
        amountFen: body.amountFen ?? 0,
        idempotencyKey: idempotencyKeyOf(key, true),
        reason: body.reason,
      },
      { caller, requestId },
    );
    return {
      transactionId: res.transactionId,
      producerId: res.producerId,
      amountFen: fen(res.amount),
      allocations: res.allocations.map((a) => ({
        householdId: a.householdId,
        villageId: a.villageId || null,
        amountFen: fen(a.amount),
      })),
      replayed: res.replayed,
    };
  }

  /** Payments held in suspense (amount or currency not the order's), open or settled. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('suspense')
  async suspense(@Caller() caller: CallerIdentity, @RequestId() requestId: string) {
    const res = await this.office.call('listSuspense', {}, { caller, requestId, idempotent: true });
    return { items: res.items.map(suspenseJson) };
  }

  /** Settles one, once: returned to the payer or accepted as a donation. A repeat answers the same. */
  @Roles('relief_officer', 'admin')
  @Post('suspense/:transactionId/settlement')
  @HttpCode(200)
  async settle(
    @Param('transactionId', uuidParam('transactionId')) transactionId: string,
    @Body() body: SettleSuspenseDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'settleSuspense',
      { transactionId, outcome: body.outcome, reason: body.reason },
      { caller, requestId },
    );
    return suspenseJson(res.item!);
  }

  /** Proposes a run: the answer is its preview, every recipient's fen. */
  @Roles('relief_officer', 'admin')
  @Post('distribution-runs')
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false })
  async propose(
    @Body() body: ProposeRunDto,
    @Headers('idempotency-key') key: string | undefined,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'proposeDistributionRun',
      {
        policy: body.policy,
        townId: body.townId ?? '',
        villageId: body.villageId ?? '',
        status: body.status ?? '',
        totalFen: body.totalFen ?? 0,
        allAvailable: body.allAvailable ?? false,
        statusWeights: body.statusWeights ?? {},
        memo: body.memo ?? '',
        idempotencyKey: idempotencyKeyOf(key, false),
      },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }

  @Roles('relief_officer', 'auditor', 'admin')
  @Get('distribution-runs')
  async list(
    @Query() query: ListRunsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'listDistributionRuns',
      { state: query.state ?? '' },
      { caller, requestId, idempotent: true },
    );
    return { items: res.runs.map(runJson) };
  }

  @Roles('relief_officer', 'auditor', 'admin')
  @Get('distribution-runs/:id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call('getDistributionRun', { id }, { caller, requestId, idempotent: true });
    return detailJson(res.detail);
  }

  /** Another officer than the proposer approves: the run is posted as one transaction, once. */
  @Roles('relief_officer', 'admin')
  @Post('distribution-runs/:id/approve')
  @HttpCode(200)
  async approve(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call('approveDistributionRun', { id }, { caller, requestId });
    return detailJson(res.detail);
  }

  /** Another officer than the proposer turns it down. */
  @Roles('relief_officer', 'admin')
  @Post('distribution-runs/:id/reject')
  @HttpCode(200)
  async reject(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'rejectDistributionRun',
      { id, reason: body.reason },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }

  /** The proposer withdraws it. */
  @Roles('relief_officer', 'admin')
  @Post('distribution-runs/:id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.office.call(
      'cancelDistributionRun',
      { id, reason: body.reason },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }
}
