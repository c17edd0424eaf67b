import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { licensing } from '@yugong/contracts';
import { Accepts, SERVICE, USER, callerOf } from '@yugong/shared/grpc';
import { LicencesService } from './licences/licences.service';
import { toLicenceMessage, toTermsMessage } from './licensing.mapper';

/** The LicensingService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@licensing.LicensingServiceControllerMethods()
export class LicensingGrpcController implements licensing.LicensingServiceController {
  constructor(private readonly licences: LicencesService) {}

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
    return { terms: (await this.licences.terms(request)).map(toTermsMessage) };
  }
}
