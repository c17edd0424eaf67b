import { Body, Controller, Get, Headers, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { RequestId, uuidParam } from '../common/request-context.util';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf } from '../orders/order-headers.util';
import { DeclarationPaymentDto, DeclareSalesDto, ListDeclarationsQuery } from './dto/licensing.dto';
import { LicensingClient } from './licensing.client';
import { declarationJson, declarationPaymentJson, overdueDeclarationJson } from './licensing.views';

/**
 * Licensees' quarterly declarations of sales made outside the platform: staff declare, the ledger
 * holds the commitment as the producer's receivable, officers record the payments, and the office
 * sees which quarters are overdue. Licensing decides who sees which declaration.
 */
@ApiTags('licensing')
@ApiBearerAuth()
@Controller()
export class DeclarationsController {
  constructor(private readonly licensing: LicensingClient) {}

  /** One ended quarter's units and revenue, once per licence and quarter (a second is 409). */
  @Roles('producer_staff', 'relief_officer', 'admin')
  @Post('licences/:id/declarations')
  async declare(
    @Param('id', uuidParam('id')) licenceId: string,
    @Body() body: DeclareSalesDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'declareQuarterlySales',
      {
        licenceId,
        quarter: body.quarter,
        units: body.units ?? 0,
        revenueFen: body.revenueFen ?? 0,
        note: body.note ?? '',
      },
      { caller, requestId },
    );
    return declarationJson(res.declaration!);
  }

  /** Every declaration for the office and auditors; producer staff see their producers'. */
  @Roles('relief_officer', 'admin', 'auditor', 'producer_staff')
  @Get('declarations')
  async list(
    @Query() query: ListDeclarationsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'listDeclarations',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        licenceId: query.licenceId ?? '',
        producerId: query.producerId ?? '',
        quarter: query.quarter ?? '',
      },
      { caller, requestId, idempotent: true },
    );
    return {
      items: res.declarations.map(declarationJson),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
    };
  }

  /** Quarters of live licences with no declaration past the grace days, most overdue first. */
  @Roles('relief_officer', 'admin', 'auditor')
  @Get('declarations/overdue')
  async overdue(@Caller() caller: CallerIdentity, @RequestId() requestId: string) {
    const res = await this.licensing.call(
      'listOverdueDeclarations',
      {},
      { caller, requestId, idempotent: true },
    );
    return { graceDays: res.graceDays, items: res.overdue.map(overdueDeclarationJson) };
  }

  /** A payment received; repeat the Idempotency-Key to get the same answer. Never beyond what is due. */
  @Roles('relief_officer', 'admin')
  @Post('declarations/:id/payments')
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: true })
  async pay(
    @Param('id', uuidParam('id')) declarationId: string,
    @Body() body: DeclarationPaymentDto,
    @Headers('idempotency-key') key: string | undefined,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'recordDeclarationPayment',
      {
        declarationId,
        amountFen: body.amountFen,
        reference: body.reference ?? '',
        idempotencyKey: idempotencyKeyOf(key, true),
      },
      { caller, requestId },
    );
    return {
      declaration: declarationJson(res.declaration!),
      payment: declarationPaymentJson(res.payment!),
      replayed: res.replayed,
    };
  }
}
