import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import { AccessLogQuery, ListVillagesQuery, TownVillagesQuery } from './dto/beneficiaries.dto';
import { BeneficiariesGatewayService } from './beneficiaries-gateway.service';
import { REGISTER_OVERSIGHT } from './beneficiaries.roles';

/** The public side of the register (towns, villages, counts) and the log of unmasked reads. */
@ApiTags('register')
@Controller()
export class RegisterController {
  constructor(private readonly beneficiaries: BeneficiariesGatewayService) {}

  @Public()
  @Get('towns')
  async towns(@RequestId() requestId: string) {
    return this.beneficiaries.listTowns({ caller: null, requestId });
  }

  @Public()
  @Get('towns/:id/villages')
  async villagesOfTown(
    @Param('id', uuidParam('id')) townId: string,
    @Query() query: TownVillagesQuery,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.listVillages({ ...query, townId }, { caller: null, requestId });
  }

  @Public()
  @Get('villages')
  async villages(@Query() query: ListVillagesQuery, @RequestId() requestId: string) {
    return this.beneficiaries.listVillages(query, { caller: null, requestId });
  }

  /** Counts by town: households, people, villages, people linked to producers. No person. */
  @Public()
  @Get('register/summary')
  async summary(@RequestId() requestId: string) {
    return this.beneficiaries.summary({ caller: null, requestId });
  }

  /** Every unmasked read of personal data: who, when, which household, the stated purpose. */
  @ApiBearerAuth()
  @Roles(...REGISTER_OVERSIGHT)
  @NoStore()
  @Get('register/access-log')
  async accessLog(
    @Query() query: AccessLogQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.accessLog(query, { caller, requestId });
  }
}
