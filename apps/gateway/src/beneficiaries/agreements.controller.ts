import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import {
  BenefitSharesQuery,
  CreateAgreementDto,
  EndAgreementDto,
  ListAgreementsQuery,
  ProducerHouseholdsQuery,
} from './dto/beneficiaries.dto';
import { BeneficiariesGatewayService } from './beneficiaries-gateway.service';
import { HOUSEHOLD_READERS, REGISTER_OVERSIGHT, RELIEF_OFFICE } from './beneficiaries.roles';

/** Benefit agreements (带贫关系) between producers and households, and who shares in a sale. */
@ApiTags('register')
@ApiBearerAuth()
@Controller()
@NoStore()
export class AgreementsController {
  constructor(private readonly beneficiaries: BeneficiariesGatewayService) {}

  /** An agreement overlapping another of the same producer, household and kind is refused (409). */
  @Roles(...RELIEF_OFFICE)
  @Post('agreements')
  async create(
    @Body() body: CreateAgreementDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.createAgreement(body, { caller, requestId });
  }

  /** By household or producer (one is required), optionally only those valid at `asOf`. */
  @Roles(...HOUSEHOLD_READERS)
  @Get('agreements')
  async list(
    @Query() query: ListAgreementsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.listAgreements(query, { caller, requestId });
  }

  /** Ends an agreement on `effectiveTo` (exclusive). */
  @Roles(...RELIEF_OFFICE)
  @Post('agreements/:id/end')
  @HttpCode(200)
  async end(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: EndAgreementDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.endAgreement(id, body.effectiveTo, { caller, requestId });
  }

  /** Households linked to the producer by any agreement, masked; its own staff, the office, auditors. */
  @Roles(...HOUSEHOLD_READERS)
  @Get('producers/:id/households')
  async households(
    @Param('id', uuidParam('id')) producerId: string,
    @Query() query: ProducerHouseholdsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.producerHouseholds(producerId, query, { caller, requestId });
  }

  /** Who shares in a sale of the producer at an instant, with their weights. */
  @Roles(...REGISTER_OVERSIGHT)
  @Get('producers/:id/benefit-shares')
  async shares(
    @Param('id', uuidParam('id')) producerId: string,
    @Query() query: BenefitSharesQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.benefitShares(producerId, query.asOf, { caller, requestId });
  }
}
