import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ledger } from '@yugong/contracts';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { toTimestamp } from '@yugong/shared/grpc';
import type { FastifyReply } from 'fastify';
import { RequestId, uuidParam } from '../common/request-context.util';
import { ReliefIncomeQuery, ReportFormatQuery, type ReliefIncomeGroupBy } from './dto/ledger.dto';
import {
  ChainHeadView,
  LotTraceView,
  OrderTraceView,
  PublicSummaryView,
  ReliefIncomeView,
  TrialBalanceView,
} from './dto/ledger-views.dto';
import { LedgerClient } from './ledger.client';
import {
  chainHeadJson,
  lotTraceJson,
  orderTraceJson,
  publicSummaryJson,
  reliefIncomeCsv,
  reliefIncomeJson,
  trialBalanceCsv,
  trialBalanceJson,
} from './ledger.views';
import { sendCsv, wantsCsv } from '../common/csv-reply.util';

const GROUPINGS: Record<ReliefIncomeGroupBy, ledger.ReliefIncomeGrouping> = {
  town: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_TOWN,
  village: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_VILLAGE,
  household: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_HOUSEHOLD,
  producer: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_PRODUCER,
  product: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_PRODUCT,
  month: ledger.ReliefIncomeGrouping.RELIEF_INCOME_GROUPING_MONTH,
};

/** A report's answer in the OpenAPI document: `view` as JSON, or its CSV. */
const jsonOrCsv = (view: new () => object, csvExample: string) =>
  ApiOkResponse({
    content: {
      'application/json': { schema: { $ref: getSchemaPath(view) } },
      'text/csv': { schema: { type: 'string', example: csvExample } },
    },
  });

/**
 * Where the money went, from the ledger: traces of orders and lots, the reports of the relief
 * office and auditors (JSON or CSV), the public summary and the hash chain's head. The ledger
 * decides what each caller sees; these routes only keep out who may not ask at all.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@ApiExtraModels(TrialBalanceView, ReliefIncomeView)
@Controller()
export class LedgerController {
  constructor(private readonly ledger: LedgerClient) {}

  /**
   * Per line: lots, producer, households reached and their fen, villages, the fund, fees and the
   * producer's part, net of refunds. Officers and auditors see household ids; the buyer sees
   * villages, counts and totals; anyone else 404.
   */
  @Get('orders/:id/trace')
  @ApiOkResponse({ type: OrderTraceView })
  async traceOrder(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ): Promise<OrderTraceView> {
    const res = await this.ledger.call(
      'traceOrder',
      { orderId: id },
      { caller, requestId, idempotent: true },
    );
    return orderTraceJson(res);
  }

  /** Every sale that drew on a lot; without household ids unless an officer or auditor asks. */
  @Public()
  @Get('lots/:id/trace')
  @ApiOkResponse({ type: LotTraceView })
  async traceLot(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity | null,
    @RequestId() requestId: string,
  ): Promise<LotTraceView> {
    const res = await this.ledger.call('traceLot', { lotId: id }, { caller, requestId, idempotent: true });
    return lotTraceJson(res);
  }

  /** Every account's debits, credits and balance; `balanced` says the sum is zero. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('ledger/trial-balance')
  @ApiProduces('application/json', 'text/csv')
  @jsonOrCsv(
    TrialBalanceView,
    'code,type,owner_kind,owner_id,currency,debit_fen,credit_fen,balance_fen\nTOTAL,balanced,,,CNY,1280,1280,0\n',
  )
  @ApiHeader({ name: 'accept', required: false, description: 'text/csv for CSV' })
  async trialBalance(
    @Query() query: ReportFormatQuery,
    @Headers('accept') accept: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<TrialBalanceView | string> {
    const res = await this.ledger.call('getTrialBalance', {}, { caller, requestId, idempotent: true });
    return wantsCsv(query.format, accept)
      ? sendCsv(reply, 'trial-balance.csv', trialBalanceCsv(res))
      : trialBalanceJson(res);
  }

  /** Household benefits and village collective shares, net of refunds, by the chosen grouping. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('ledger/relief-income')
  @ApiProduces('application/json', 'text/csv')
  @jsonOrCsv(ReliefIncomeView, 'village,households,household_fen,collective_fen\nTOTAL,,1280,64\n')
  @ApiHeader({ name: 'accept', required: false, description: 'text/csv for CSV' })
  async reliefIncome(
    @Query() query: ReliefIncomeQuery,
    @Headers('accept') accept: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<ReliefIncomeView | string> {
    const groupBy = query.groupBy ?? 'village';
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && to.getTime() <= from.getTime()) {
      throw new ValidationFailed([{ field: 'to', reason: 'must be after from' }]);
    }
    const res = await this.ledger.call(
      'getReliefIncome',
      {
        groupBy: GROUPINGS[groupBy],
        from: from ? toTimestamp(from) : undefined,
        to: to ? toTimestamp(to) : undefined,
      },
      { caller, requestId, idempotent: true },
    );
    return wantsCsv(query.format, accept)
      ? sendCsv(reply, `relief-income-by-${groupBy}.csv`, reliefIncomeCsv(groupBy, res))
      : reliefIncomeJson(groupBy, res);
  }

  /** Relief income by town for everyone; towns reaching fewer than 5 households are left out. */
  @Public()
  @Get('ledger/public-summary')
  @ApiOkResponse({ type: PublicSummaryView })
  async publicSummary(@RequestId() requestId: string): Promise<PublicSummaryView> {
    const res = await this.ledger.call('getPublicSummary', {}, { caller: null, requestId, idempotent: true });
    return publicSummaryJson(res);
  }

  /** The last sealed transaction of the hash chain, to publish and check later. */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('ledger/chain-head')
  @ApiOkResponse({ type: ChainHeadView })
  async chainHead(@Caller() caller: CallerIdentity, @RequestId() requestId: string): Promise<ChainHeadView> {
    const res = await this.ledger.call('getChainHead', {}, { caller, requestId, idempotent: true });
    return chainHeadJson(res);
  }
}
