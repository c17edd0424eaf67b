import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { licensing } from '@yugong/contracts';
import { Accepts, PUBLIC, SERVICE, USER, callerOf, fromTimestamp } from '@yugong/shared/grpc';
import { DeclarationsService } from './declarations/declarations.service';
import { LabelsService } from './labels/labels.service';
import { LicencesService } from './licences/licences.service';
import {
  toBatchMessage,
  toDeclarationMessage,
  toOverdueMessage,
  toPaymentMessage,
  toLicenceMessage,
  toSignalsMessage,
  toTermsMessage,
  toVerificationMessage,
} from './licensing.mapper';

/** The LicensingService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@licensing.LicensingServiceControllerMethods()
export class LicensingGrpcController implements licensing.LicensingServiceController {
  constructor(
    private readonly licences: LicencesService,
    private readonly labels: LabelsService,
    private readonly declarations: DeclarationsService,
  ) {}

  // Producer staff applying for their producer; officers on its behalf.
  @Accepts({ gateway: USER })
  async applyForLicence(
    request: licensing.ApplyForLicenceRequest,
    metadata?: Metadata,
  ): Promise<licensing.ApplyForLicenceResponse> {
    return { licence: toLicenceMessage(await this.licences.apply(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async getLicence(
    request: licensing.GetLicenceRequest,
    metadata?: Metadata,
  ): Promise<licensing.GetLicenceResponse> {
    return { licence: toLicenceMessage(await this.licences.get(callerOf(metadata), request.id)) };
  }

  @Accepts({ gateway: USER })
  async listLicences(
    request: licensing.ListLicencesRequest,
    metadata?: Metadata,
  ): Promise<licensing.ListLicencesResponse> {
    const page = await this.licences.list(callerOf(metadata), request);
    return {
      licences: page.items.map(toLicenceMessage),
      page: { page: page.page, pageSize: page.pageSize, total: page.total },
    };
  }

  // Relief officers and admins only; the service refuses everyone else.
  @Accepts({ gateway: USER })
  async changeLicenceStatus(
    request: licensing.ChangeLicenceStatusRequest,
    metadata?: Metadata,
  ): Promise<licensing.ChangeLicenceStatusResponse> {
    return { licence: toLicenceMessage(await this.licences.changeStatus(callerOf(metadata), request)) };
  }

  // Orders snapshotting the terms at checkout, for the buyer it forwards or for itself.
  @Accepts({ orders: SERVICE })
  async getLicenceTerms(
    request: licensing.GetLicenceTermsRequest,
  ): Promise<licensing.GetLicenceTermsResponse> {
    const { terms, standsForMs } = await this.licences.terms(request);
    return { terms: terms.map(toTermsMessage), standsForMs };
  }

  // Staff of the licence's producer; officers and admins.
  @Accepts({ gateway: USER })
  async orderLabelBatch(
    request: licensing.OrderLabelBatchRequest,
    metadata?: Metadata,
  ): Promise<licensing.OrderLabelBatchResponse> {
    return { batch: toBatchMessage(await this.labels.orderBatch(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async getLabelSheet(
    request: licensing.GetLabelSheetRequest,
    metadata?: Metadata,
  ): Promise<licensing.GetLabelSheetResponse> {
    const { batch, svg, pdf } = await this.labels.sheet(callerOf(metadata), request);
    return { batch: toBatchMessage(batch), svg, pdf };
  }

  // Anyone holding a package, signed in or not.
  @Accepts({ gateway: PUBLIC })
  async verifyLabel(request: licensing.VerifyLabelRequest): Promise<licensing.VerifyLabelResponse> {
    return { label: toVerificationMessage(await this.labels.verify(request.code, request.clientNetwork)) };
  }

  // The gateway itself, sending the scans it answered without licensing.
  @Accepts({ gateway: SERVICE })
  async recordLabelScans(
    request: licensing.RecordLabelScansRequest,
  ): Promise<licensing.RecordLabelScansResponse> {
    return this.labels.recordScans({
      batchId: request.batchId,
      forgedScans: request.forgedScans,
      scans: request.scans.map((s) => ({ ...s, lastScannedAt: fromTimestamp(s.lastScannedAt) })),
    });
  }

  @Accepts({ gateway: USER })
  async getLabelSignals(
    _request: licensing.GetLabelSignalsRequest,
    metadata?: Metadata,
  ): Promise<licensing.GetLabelSignalsResponse> {
    return toSignalsMessage(await this.labels.signals(callerOf(metadata)));
  }

  // Staff of the licence's producer; officers and admins on its behalf.
  @Accepts({ gateway: USER })
  async declareQuarterlySales(
    request: licensing.DeclareQuarterlySalesRequest,
    metadata?: Metadata,
  ): Promise<licensing.DeclareQuarterlySalesResponse> {
    return {
      declaration: toDeclarationMessage(await this.declarations.declare(callerOf(metadata), request)),
    };
  }

  @Accepts({ gateway: USER })
  async listDeclarations(
    request: licensing.ListDeclarationsRequest,
    metadata?: Metadata,
  ): Promise<licensing.ListDeclarationsResponse> {
    const page = await this.declarations.list(callerOf(metadata), request);
    return {
      declarations: page.items.map(toDeclarationMessage),
      page: { page: page.page, pageSize: page.pageSize, total: page.total },
    };
  }

  // Relief officers and admins; the service refuses everyone else.
  @Accepts({ gateway: USER })
  async recordDeclarationPayment(
    request: licensing.RecordDeclarationPaymentRequest,
    metadata?: Metadata,
  ): Promise<licensing.RecordDeclarationPaymentResponse> {
    const res = await this.declarations.recordPayment(callerOf(metadata), request);
    return {
      declaration: toDeclarationMessage(res.declaration),
      payment: toPaymentMessage(res.payment),
      replayed: res.replayed,
    };
  }

  @Accepts({ gateway: USER })
  async listOverdueDeclarations(
    _request: licensing.ListOverdueDeclarationsRequest,
    metadata?: Metadata,
  ): Promise<licensing.ListOverdueDeclarationsResponse> {
    const res = await this.declarations.overdue(callerOf(metadata));
    return { overdue: res.overdue.map(toOverdueMessage), graceDays: res.graceDays };
  }
}
