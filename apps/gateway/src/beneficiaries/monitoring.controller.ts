import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { beneficiaries } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { toTimestamp } from '@yugong/shared/grpc';
import type { FastifyReply } from 'fastify';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import { BeneficiariesClient } from './beneficiaries.client';
import { REGISTER_OVERSIGHT, RELIEF_OFFICE } from './beneficiaries.roles';
import { CloseCaseDto, ListCasesQuery, RefreshCasesDto, VisitCaseDto } from './dto/monitoring.dto';
import { caseJson, casesCsv, refreshJson } from './monitoring.views';
import { sendCsv, wantsCsv } from '../common/csv-reply.util';

const CSV_PAGE = 100;
/** The deepest a list may page (page × pageSize). */
const CSV_MAX_PAGES = 100;

/**
 * Return-to-poverty monitoring (防返贫): the relief office refreshes the cases from the ledger's
 * relief income, lists them by town and village (JSON or CSV), records visits and closes them;
 * auditors read; anyone else 403. Names are always masked here.
 */
@ApiTags('register')
@ApiBearerAuth()
@Controller('monitoring')
@NoStore()
export class MonitoringController {
  constructor(private readonly beneficiaries: BeneficiariesClient) {}

  /** Assesses every household with relief income and opens or refreshes the cases of those flagged. */
  @Roles(...RELIEF_OFFICE)
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Body() body: RefreshCasesDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.beneficiaries.call(
      'refreshMonitoringCases',
      { asOf: body.asOf ? toTimestamp(new Date(body.asOf)) : undefined },
      { caller, requestId, deadlineMs: 60_000 },
    );
    return refreshJson(res);
  }

  @Roles(...REGISTER_OVERSIGHT)
  @Get('cases')
  @ApiProduces('application/json', 'text/csv')
  @ApiHeader({ name: 'accept', required: false, description: 'text/csv for CSV' })
  async list(
    @Query() query: ListCasesQuery,
    @Headers('accept') accept: string | undefined,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ) {
    const filter = {
      townId: query.townId ?? '',
      villageId: query.villageId ?? '',
      status: query.status ?? '',
    };
    const ctx = { caller, requestId, idempotent: true };
    const csv = wantsCsv(query.format, accept);
    if (!csv) {
      const res = await this.beneficiaries.call(
        'listMonitoringCases',
        { ...filter, page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 } },
        ctx,
      );
      return {
        items: res.cases.map(caseJson),
        total: Number(res.page?.total ?? res.cases.length),
        page: res.page?.page ?? 1,
        pageSize: res.page?.pageSize ?? 20,
      };
    }
    const cases: beneficiaries.MonitoringCase[] = [];
    for (let page = 1; page <= CSV_MAX_PAGES; page++) {
      const res = await this.beneficiaries.call(
        'listMonitoringCases',
        { ...filter, page: { page, pageSize: CSV_PAGE } },
        ctx,
      );
      cases.push(...res.cases);
      if (res.cases.length < CSV_PAGE) {
        break;
      }
    }
    return sendCsv(reply, 'monitoring-cases.csv', casesCsv(cases));
  }

  /** A visit to the household, with what it found. */
  @Roles(...RELIEF_OFFICE)
  @Post('cases/:id/visit')
  @HttpCode(200)
  async visit(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: VisitCaseDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.beneficiaries.call(
      'updateMonitoringCase',
      { id, status: 'visited', note: body.note },
      { caller, requestId },
    );
    return caseJson(res.case!);
  }

  @Roles(...RELIEF_OFFICE)
  @Post('cases/:id/close')
  @HttpCode(200)
  async close(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CloseCaseDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.beneficiaries.call(
      'updateMonitoringCase',
      { id, status: 'closed', note: body.note ?? '' },
      { caller, requestId },
    );
    return caseJson(res.case!);
  }
}
