import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { RequestId, uuidParam } from '../common/request-context';
import { AccessLogQuery, ListVillagesQuery, TownVillagesQuery } from './dto/register.dto';
import { RegisterGatewayService } from './register-gateway.service';
import { REGISTER_OVERSIGHT } from './register.roles';

/** The public side of the register (towns, villages, counts) and the log of unmasked reads. */
@ApiTags('register')
@Controller()
export class RegisterController {
  constructor(private readonly register: RegisterGatewayService) {}

  @Public()
  @Get('towns')
  async towns(@RequestId() requestId: string) {
    return this.register.listTowns({ caller: null, requestId });
  }

  @Public()
  @Get('towns/:id/villages')
  async villagesOfTown(
    @Param('id', uuidParam('id')) townId: string,
    @Query() query: TownVillagesQuery,
    @RequestId() requestId: string,
  ) {
    return this.register.listVillages({ ...query, townId }, { caller: null, requestId });
  }

  @Public()
  @Get('villages')
  async villages(@Query() query: ListVillagesQuery, @RequestId() requestId: string) {
    return this.register.listVillages(query, { caller: null, requestId });
  }

  /** Counts by town: households, people, villages, people linked to producers. No person. */
  @Public()
  @Get('register/summary')
  async summary(@RequestId() requestId: string) {
    return this.register.summary({ caller: null, requestId });
  }

  /** Every unmasked read of personal data: who, when, which household, the stated purpose. */
  @ApiBearerAuth()
  @Roles(...REGISTER_OVERSIGHT)
  @Get('register/access-log')
  async accessLog(
    @Query() query: AccessLogQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.register.accessLog(query, { caller, requestId });
  }
}
