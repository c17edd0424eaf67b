import { Body, Controller, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { toTimestamp } from '@yugong/shared/grpc';
import { RequestId, uuidParam } from '../common/request-context.util';
import { IdentityService } from '../identity/identity.service';
import { BuyerAllowanceDto } from './dto/orders.dto';
import { OrdersClient } from './orders.client';
import { allowanceJson } from './orders.views';

/**
 * What a buyer may hold unpaid. Every buyer has the orders service's defaults; an institution,
 * whose bank transfers take days, gets more from a relief officer.
 */
@ApiTags('orders')
@ApiBearerAuth()
@Controller('buyers')
export class BuyersController {
  constructor(
    private readonly orders: OrdersClient,
    private readonly identity: IdentityService,
  ) {}

  /** A relief officer sets an institution's allowance of unpaid orders and held units. */
  @Roles('relief_officer', 'admin')
  @Put(':userId/allowance')
  async setAllowance(
    @Param('userId', uuidParam('userId')) userId: string,
    @Body() body: BuyerAllowanceDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    await this.identity.requireInstitution(userId);
    const res = await this.orders.call(
      'setBuyerAllowance',
      {
        buyerId: userId,
        maxUnpaidOrders: body.maxUnpaidOrders,
        maxHeldUnits: body.maxHeldUnits,
        expiresAt: body.expiresAt ? toTimestamp(new Date(body.expiresAt)) : undefined,
      },
      { caller, requestId },
    );
    return allowanceJson(res.allowance!);
  }
}
