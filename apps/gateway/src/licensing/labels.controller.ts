import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Caller, Public, Roles, type CallerIdentity } from '@yugong/shared/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestId, uuidParam } from '../common/request-context.util';
import { clientNetworkOf } from './client-network.util';
import { LabelSheetQuery, OrderLabelBatchDto } from './dto/licensing.dto';
import { LicensingClient } from './licensing.client';
import { labelBatchJson, labelSignalsJson, labelVerificationJson } from './licensing.views';
import { LabelScans } from './label-scans.service';
import { LotImpactService } from './lot-impact.service';

/**
 * Labels of LOGO-licensed products: licensees order batches of codes for a lot and print them;
 * anyone holding a package verifies its code; the office reads the counterfeit signals.
 */
@ApiTags('licensing')
@ApiBearerAuth()
@Controller()
export class LabelsController {
  constructor(
    private readonly licensing: LicensingClient,
    private readonly impact: LotImpactService,
    private readonly scans: LabelScans,
  ) {}

  /** A batch of 1..10000 codes for a lot of a product the producer's live licence covers. */
  @Roles('producer_staff', 'relief_officer', 'admin')
  @Post('label-batches')
  async order(
    @Body() body: OrderLabelBatchDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.licensing.call(
      'orderLabelBatch',
      { productId: body.productId, lotId: body.lotId, quantity: body.quantity },
      { caller, requestId },
    );
    return labelBatchJson(res.batch!);
  }

  /** One A4 page (24 labels) of a batch's printable sheet: QR codes of the verify page. */
  @Roles('producer_staff', 'relief_officer', 'admin')
  @Get('label-batches/:id/sheet.svg')
  @ApiProduces('image/svg+xml')
  async sheet(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: LabelSheetQuery,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<string> {
    const page = query.page ?? 1;
    const res = await this.licensing.call(
      'getLabelSheet',
      { batchId: id, page, format: 'svg' },
      { caller, requestId, idempotent: true },
    );
    reply.header('content-type', 'image/svg+xml; charset=utf-8');
    reply.header('content-disposition', `inline; filename="labels-${res.batch!.lotCode}-${page}.svg"`);
    reply.header('x-total-pages', String(res.batch!.pages));
    return res.svg;
  }

  /** The same page as a PDF, the product's name in an embedded Chinese font. */
  @Roles('producer_staff', 'relief_officer', 'admin')
  @Get('label-batches/:id/sheet.pdf')
  @ApiProduces('application/pdf')
  async sheetPdf(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: LabelSheetQuery,
    @Caller() caller: CallerIdentity,
    @Res({ passthrough: true }) reply: FastifyReply,
    @RequestId() requestId: string,
  ): Promise<Buffer> {
    const page = query.page ?? 1;
    const res = await this.licensing.call(
      'getLabelSheet',
      { batchId: id, page, format: 'pdf' },
      { caller, requestId, idempotent: true },
    );
    reply.header('content-type', 'application/pdf');
    reply.header('content-disposition', `inline; filename="labels-${res.batch!.lotCode}-${page}.pdf"`);
    reply.header('x-total-pages', String(res.batch!.pages));
    return Buffer.from(res.pdf);
  }

  /** Counterfeit signals: forged and unknown codes scanned, codes scanned too often, revoked licences'. */
  @Roles('relief_officer', 'admin', 'auditor')
  @Get('labels/signals')
  async signals(@Caller() caller: CallerIdentity, @RequestId() requestId: string) {
    // This gateway's scans first, so that the signals include them (a failure leaves them queued).
    await this.scans.flush().catch(() => 0);
    const res = await this.licensing.call('getLabelSignals', {}, { caller, requestId, idempotent: true });
    return labelSignalsJson(res);
  }

  /**
   * Anyone: is this label genuine, what its licence is now, the product, producer, village, lot,
   * and what the lot's sales brought households and villages so far. Counts the scan. A code
   * that is not genuine is 404 LABEL_NOT_FOUND (a forged one without asking licensing).
   */
  @Public()
  @Get('labels/:code')
  async verify(@Param('code') code: string, @Req() request: FastifyRequest, @RequestId() requestId: string) {
    // The client's network, not its address: where a code is scanned from, coarsely.
    const label = await this.scans.scan(code.slice(0, 64), clientNetworkOf(request.ip), requestId);
    return labelVerificationJson(label, await this.impact.of(label.lotId, requestId));
  }
}
