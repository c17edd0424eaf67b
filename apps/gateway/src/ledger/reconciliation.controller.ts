import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { ledger } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { fromTimestamp, toTimestamp } from '@yugong/shared/grpc';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import { sendCsv, wantsCsv } from '../common/csv-reply.util';
import { RequestId } from '../common/request-context.util';
import { ReconciliationQuery, ReconciliationView } from './dto/reconciliation.dto';
import { LedgerClient } from './ledger.client';

/** A report over a period may take the processor's whole history of it: longer than a trace. */
const RECONCILIATION_DEADLINE_MS = 120_000;

function reconciliationJson(from: Date, to: Date, r: ledger.GetReconciliationResponse): ReconciliationView {
  const items = r.items.map((i) => ({
    kind: i.kind,
    reference: i.reference,
    orderId: i.orderId || null,
    ledgerFen: i.ledgerFen,
    externalFen: i.externalFen,
    differenceFen: i.differenceFen,
    currency: i.currency,
    occurredAt: (fromTimestamp(i.occurredAt) ?? new Date(0)).toISOString(),
    note: i.note,
  }));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    items,
    unexplainedFen: items.reduce((s, i) => s + i.differenceFen, 0),
    processorChecked: r.processorChecked,
    processorEntries: r.processorEntries,
    ledgerEntries: r.ledgerEntries,
  };
}

function reconciliationCsv(view: ReconciliationView): string {
  return stringify(
    [
      ...view.items.map((i) => [
        i.kind,
        i.reference,
        i.orderId ?? '',
        i.ledgerFen,
        i.externalFen,
        i.differenceFen,
        i.currency,
        i.occurredAt,
        i.note,
      ]),
      ['TOTAL', `${view.items.length} items`, '', '', '', view.unexplainedFen, '', '', ''],
    ],
    {
      header: true,
      columns: [
        'kind',
        'reference',
        'order_id',
        'ledger_fen',
        'external_fen',
        'difference_fen',
        'currency',
        'occurred_at',
        'note',
      ],
    },
  );
}

/** The three-way reconciliation of a period, for auditors and the relief office. */
@ApiTags('ledger')
@ApiExtraModels(ReconciliationView)
@ApiBearerAuth()
@Controller()
export class ReconciliationController {
  constructor(private readonly ledger: LedgerClient) {}

  /**
   * Every fen the ledger, Stripe's balance transactions and the payout batches' settlements do
   * not agree on in `from`..`to`; an empty list (a lone `TOTAL` row in CSV) when all agree.
   */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('ledger/reconciliation')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ReconciliationView) } },
      'text/csv': {
        schema: {
          type: 'string',
          example:
            'kind,reference,order_id,ledger_fen,external_fen,difference_fen,currency,occurred_at,note\nTOTAL,0 items,,,,0,,,\n',
        },
      },
    },
  })
  @ApiHeader({ name: 'accept', required: false, description: 'text/csv for CSV' })
  async reconciliation(
    @Query() query: ReconciliationQuery,
    @Headers('accept') accept: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<ReconciliationView | string> {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to.getTime() <= from.getTime()) {
      throw new ValidationFailed([{ field: 'to', reason: 'must be after from' }]);
    }
    const res = await this.ledger.call(
      'getReconciliation',
      { from: toTimestamp(from), to: toTimestamp(to) },
      { caller, requestId, idempotent: true, deadlineMs: RECONCILIATION_DEADLINE_MS },
    );
    const view = reconciliationJson(from, to, res);
    return wantsCsv(query.format, accept)
      ? sendCsv(reply, 'reconciliation.csv', reconciliationCsv(view))
      : view;
  }
}
