import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { licensing } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { enumWire } from '../catalog/catalog.views';
import { RequestId, uuidParam } from '../common/request-context.util';
import {
  ApplyForLicenceDto,
  ApproveLicenceDto,
  LicenceReasonDto,
  ListLicencesQuery,
} from './dto/licensing.dto';
import { LicensingClient } from './licensing.client';
import { licenceJson } from './licensing.views';

type Action = 'reject' | 'suspend' | 'reinstate' | 'revoke';
const ACTIONS: Record<Action | 'approve', licensing.LicenceAction> = {
  approve: licensing.LicenceAction.LICENCE_ACTION_APPROVE,
  reject: licensing.LicenceAction.LICENCE_ACTION_REJECT,
  suspend: licensing.LicenceAction.LICENCE_ACTION_SUSPEND,
  reinstate: licensing.LicenceAction.LICENCE_ACTION_REINSTATE,
  revoke: licensing.LicenceAction.LICENCE_ACTION_REVOKE,
};

/**
 * LOGO licences: producers' staff apply and follow their applications; the relief office reviews
 * them and suspends, reinstates or revokes licences. Licensing decides who sees which licence;
 * these routes keep out who may not ask at all.
 */
@ApiTags('licensing')
@ApiBearerAuth()
@Controller('licences')
export class LicencesController {
  constructor(private readonly licensing: LicensingClient) {}

  /** An application (pending until an officer reviews it) over certified products of the producer. */
  @Roles('producer_staff', 'relief_officer', 'admin')
  @Post()
  async apply(
    @Body() body: ApplyForLicenceDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'applyForLicence',
      {
        producerId: body.producerId,
        productIds: body.productIds,
        commitmentBps: body.commitmentBps ?? 0,
        minPerUnit: { fen: body.minPerUnitFen ?? 0, currency: 'CNY' },
        note: body.note ?? '',
      },
      { caller, requestId },
    );
    return licenceJson(res.licence!);
  }

  /** Every licence for the office and auditors; producer staff see their producers' ("mine"). */
  @Roles('relief_officer', 'admin', 'auditor', 'producer_staff')
  @Get()
  async list(
    @Query() query: ListLicencesQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'listLicences',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        producerId: query.producerId ?? '',
        productId: query.productId ?? '',
        status: enumWire<licensing.LicenceStatus>(query.status, 'LICENCE_STATUS_'),
      },
      { caller, requestId, idempotent: true },
    );
    return {
      items: res.licences.map(licenceJson),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
    };
  }

  /** Applications waiting for review, oldest first. */
  @Roles('relief_officer', 'admin', 'auditor')
  @Get('review-queue')
  async reviewQueue(
    @Query() query: ListLicencesQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.list({ ...query, status: 'pending' }, caller, requestId);
  }

  /** One licence with its full history. */
  @Roles('relief_officer', 'admin', 'auditor', 'producer_staff')
  @Get(':id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call('getLicence', { id }, { caller, requestId, idempotent: true });
    return licenceJson(res.licence!);
  }

  /** Approves a pending application with its validity; the LOGO shows while it lasts. */
  @Roles('relief_officer', 'admin')
  @Post(':id/approve')
  @HttpCode(200)
  async approve(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ApproveLicenceDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'changeLicenceStatus',
      { id, action: ACTIONS.approve, reason: '', validFrom: body.validFrom, validTo: body.validTo },
      { caller, requestId },
    );
    return licenceJson(res.licence!);
  }

  /** Rejects a pending application, with a reason. */
  @Roles('relief_officer', 'admin')
  @Post(':id/reject')
  @HttpCode(200)
  async reject(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: LicenceReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.move(id, 'reject', body.reason, { caller, requestId });
  }

  /** Suspends a licence, with a reason: the LOGO goes at once. */
  @Roles('relief_officer', 'admin')
  @Post(':id/suspend')
  @HttpCode(200)
  async suspend(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: LicenceReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.move(id, 'suspend', body.reason, { caller, requestId });
  }

  /** Reinstates a suspended licence, with a reason. */
  @Roles('relief_officer', 'admin')
  @Post(':id/reinstate')
  @HttpCode(200)
  async reinstate(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: LicenceReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.move(id, 'reinstate', body.reason, { caller, requestId });
  }

  /** Revokes a licence for good, with a reason: the LOGO goes at once. */
  @Roles('relief_officer', 'admin')
  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: LicenceReasonDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.move(id, 'revoke', body.reason, { caller, requestId });
  }

  private async move(
    id: string,
    action: Action,
    reason: string,
    ctx: { caller: CallerIdentity; requestId: string },
  ) {
    const res = await this.licensing.call(
      'changeLicenceStatus',
      { id, action: ACTIONS[action], reason, validFrom: '', validTo: '' },
      ctx,
    );
    return licenceJson(res.licence!);
  }
}
