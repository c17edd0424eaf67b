import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { RequestId, uuidParam } from '../common/request-context.util';
import { CatalogGatewayService } from './catalog-gateway.service';
import {
  CreateProducerDto,
  ListProducersQuery,
  SetHouseholdShareDto,
  SetProducerStatusDto,
} from './dto/catalog.dto';

@ApiTags('catalogue')
@Controller('producers')
export class ProducersController {
  constructor(private readonly catalog: CatalogGatewayService) {}

  /** An application (producer staff: pending until verified) or a registration by the office. */
  @ApiBearerAuth()
  @Roles('relief_officer', 'admin', 'producer_staff')
  @Post()
  async create(
    @Body() body: CreateProducerDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.createProducer(body, { caller, requestId });
  }

  /** Verified producers for everyone; officers and auditors see all and may filter by status. */
  @Public()
  @Get()
  async list(
    @Query() query: ListProducersQuery,
    @Caller() caller: CallerIdentity | null,
    @RequestId() requestId: string,
  ) {
    return this.catalog.listProducers(query, { caller, requestId });
  }

  /** The producers the caller applied for or works for, whatever their status. */
  @ApiBearerAuth()
  @Roles('producer_staff')
  @Get('mine')
  async mine(
    @Query() query: ListProducersQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.listProducers(query, { caller, requestId }, true);
  }

  @Public()
  @Get(':id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity | null,
    @RequestId() requestId: string,
  ) {
    return this.catalog.getProducer(id, { caller, requestId });
  }

  @ApiBearerAuth()
  @Roles('relief_officer', 'admin')
  @Patch(':id/status')
  async setStatus(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SetProducerStatusDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.setProducerStatus(id, body, { caller, requestId });
  }

  /**
   * The producer's household share from `effectiveFrom` on (not in the past), with a reason; the
   * answer is the producer with its share history. Lines already sold keep their share.
   */
  @ApiBearerAuth()
  @Roles('relief_officer', 'admin')
  @Put(':id/household-share')
  async setHouseholdShare(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SetHouseholdShareDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.setHouseholdShare(id, body, { caller, requestId });
  }
}
