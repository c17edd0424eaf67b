import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { RequestId, uuidParam } from '../common/request-context.util';
import { CatalogGatewayService } from './catalog-gateway.service';
import {
  CertifyProductDto,
  ListCertificatesQuery,
  ReviewQueueQuery,
  RevokeCertificateDto,
} from './dto/catalog.dto';

/** Certification (扶贫产品认定) and the relief office's review queue. */
@ApiTags('certification')
@ApiBearerAuth()
@Controller()
export class CertificatesController {
  constructor(private readonly catalog: CatalogGatewayService) {}

  /** Issues the product's certificate with a validity and puts it on sale. */
  @Roles('relief_officer', 'admin')
  @Post('products/:id/certificates')
  async certify(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CertifyProductDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.certifyProduct(id, body, { caller, requestId });
  }

  /** Takes the product off sale at once; its orders stay. */
  @Roles('relief_officer', 'admin')
  @Post('certificates/:id/revoke')
  @HttpCode(200)
  async revoke(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: RevokeCertificateDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.revokeCertificate(id, body, { caller, requestId });
  }

  /** Every certificate for the office and auditors; producer staff see their producers'. */
  @Roles('relief_officer', 'admin', 'auditor', 'producer_staff')
  @Get('certificates')
  async list(
    @Query() query: ListCertificatesQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.listCertificates(query, { caller, requestId });
  }

  /** Producers waiting for review and products waiting for certification. */
  @Roles('relief_officer', 'admin', 'auditor')
  @Get('review-queue')
  async reviewQueue(
    @Query() query: ReviewQueueQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.catalog.reviewQueue(query, { caller, requestId });
  }
}
