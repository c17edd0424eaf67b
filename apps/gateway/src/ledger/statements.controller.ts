import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { ledger } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { NotFound, ValidationFailed } from '@yugong/shared/errors';
import { toTimestamp } from '@yugong/shared/grpc';
import type { FastifyReply } from 'fastify';
import { BeneficiariesClient } from '../beneficiaries/beneficiaries.client';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import { IncomeWindowsQuery, StatementQuery } from './dto/statement.dto';
import { LedgerClient } from './ledger.client';
import { ProducerBalanceView } from './dto/ledger-views.dto';
import { incomeWindowsJson, producerBalanceJson, statementCsv, statementJson } from './statements.views';
import { sendCsv, wantsCsv } from '../common/csv-reply.util';

/** Roles that may read some statement; anyone else is told the household has none (404). */
const STATEMENT_READERS = new Set(['relief_officer', 'admin', 'auditor', 'producer_staff']);
/** Most entries a CSV statement holds; a longer range is refused, naming `from`. */
const CSV_MAX_ENTRIES = 10_000;
const CSV_PAGE = 500;

/**
 * A household's statement from the ledger: every fen credited to it with where it came from, every
 * debit, the opening and running balance. The relief office and auditors see it all; a linked
 * producer's staff only their own sales' credits, masked; anyone else 404.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller()
@NoStore()
export class StatementsController {
  constructor(
    private readonly ledger: LedgerClient,
    private readonly beneficiaries: BeneficiariesClient,
  ) {}

  @Get('households/:id/statement')
  @ApiProduces('application/json', 'text/csv')
  @ApiHeader({ name: 'accept', required: false, description: 'text/csv for CSV' })
  async statement(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: StatementQuery,
    @Headers('accept') accept: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ) {
    if (!STATEMENT_READERS.has(caller.role)) {
      throw new NotFound('household statement', id);
    }
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && to.getTime() <= from.getTime()) {
      throw new ValidationFailed([{ field: 'to', reason: 'must be after from' }]);
    }
    const ctx = { caller, requestId };
    // The register says whether this reader may see the household at all (staff: linked only);
    // always the masked view, so nothing is written to the access log.
    const { household } = await this.beneficiaries.call(
      'getHousehold',
      { id, purpose: '', masked: true },
      { ...ctx, idempotent: true },
    );
    const request = {
      householdId: id,
      from: from ? toTimestamp(from) : undefined,
      to: to ? toTimestamp(to) : undefined,
    };
    if (!wantsCsv(query.format, accept)) {
      const res = await this.ledger.call(
        'getHouseholdStatement',
        { ...request, cursor: query.cursor ?? '', limit: query.limit ?? 0 },
        { ...ctx, idempotent: true },
      );
      return statementJson(household!, res, { from, to });
    }
    let first: ledger.GetHouseholdStatementResponse | undefined;
    const entries: ledger.StatementEntry[] = [];
    let cursor = '';
    do {
      const res = await this.ledger.call(
        'getHouseholdStatement',
        { ...request, cursor, limit: CSV_PAGE },
        { ...ctx, idempotent: true },
      );
      first ??= res;
      entries.push(...res.entries);
      cursor = res.nextCursor;
      if (cursor && entries.length >= CSV_MAX_ENTRIES) {
        throw new ValidationFailed([
          {
            field: 'from',
            reason: `the range holds more than ${CSV_MAX_ENTRIES} entries: narrow from and to`,
          },
        ]);
      }
    } while (cursor);
    return sendCsv(reply, `statement-${household!.archiveNumber}.csv`, statementCsv(first, entries));
  }

  /** What the ledger holds for a producer: its own staff, the relief office, auditors. */
  @Roles('producer_staff', 'relief_officer', 'auditor', 'admin')
  @Get('producers/:id/balance')
  @ApiOkResponse({ type: ProducerBalanceView })
  async producerBalance(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.ledger.call(
      'getProducerBalance',
      { producerId: id },
      { caller, requestId, idempotent: true },
    );
    return producerBalanceJson(res);
  }

  /** Each household's relief income in the two windows monitoring compares (ids only). */
  @Roles('relief_officer', 'auditor', 'admin')
  @Get('ledger/household-income')
  async incomeWindows(
    @Query() query: IncomeWindowsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.ledger.call(
      'getHouseholdIncomeWindows',
      {
        asOf: query.asOf ? toTimestamp(new Date(query.asOf)) : undefined,
        windowMonths: query.windowMonths ?? 0,
      },
      { caller, requestId, idempotent: true },
    );
    return incomeWindowsJson(res);
  }
}
