import type { Metadata, ServerReadableStream } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { beneficiaries } from '@yugong/contracts';
import { ValidationFailed } from '@yugong/shared/errors';
import { Accepts, PUBLIC, SERVICE, USER, callerOf } from '@yugong/shared/grpc';
import { concatMap, finalize, from, last, mergeMap, type Observable, tap } from 'rxjs';
import { AgreementsService } from './agreements/agreements.service';
import {
  agreementKind,
  fromTimestamp,
  householdStatus,
  toAgreementMessage,
  toHouseholdMessage,
  toPiiAccessMessage,
  toCollectiveShareMessage,
  toShareColumns,
  toShareMessages,
  toTownMessage,
  toTimestamp,
  toVillageMessage,
  wireName,
} from './beneficiaries.mapper';
import { HouseholdsService } from './households/households.service';
import { toCaseMessage, toRefreshMessage } from './monitoring/monitoring.mapper';
import { MonitoringService } from './monitoring/monitoring.service';
import { PayoutsService, type PayoutAccountView } from './payouts/payouts.service';
import { RegionsService } from './regions/regions.service';
import type { ImportOptions, ImportRowInput } from './register-import/register-import.schemas';
import { RegisterImportService } from './register-import/register-import.service';
import type { RegisterImportSession } from './register-import/register-import.session';

/** Batches of an import stream that may wait in memory before the call is paused. */
const MAX_WAITING_BATCHES = 4;
/** Rows sent without options first: refused for the missing purpose. */
const DEFAULT_IMPORT_OPTIONS: ImportOptions = { partial: false, dryRun: false, purpose: '' };

/** A decoded row as the import reads it: the message is this call's own, so its enums are renamed in place, not copied. */
const toImportRow = (row: beneficiaries.ImportRow): ImportRowInput => {
  const status = householdStatus.fromWire(row.status) ?? wireName(row.status, 'HOUSEHOLD_STATUS_UNSPECIFIED');
  const kind =
    agreementKind.fromWire(row.agreementKind) ?? wireName(row.agreementKind, 'AGREEMENT_KIND_UNSPECIFIED');
  const input = row as unknown as ImportRowInput;
  input.status = status;
  input.agreementKind = kind;
  return input;
};

const toPayoutAccountMessage = (a: PayoutAccountView): beneficiaries.PayoutAccount => ({
  householdId: a.householdId,
  payeeName: a.payeeName,
  accountNumber: a.accountNumber,
  bankName: a.bankName,
  masked: a.masked,
  updatedAt: toTimestamp(a.updatedAt),
});

const pageInfo = (r: { page: number; pageSize: number; total: number }) => ({
  page: r.page,
  pageSize: r.pageSize,
  total: r.total,
});

/** The BeneficiariesService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@beneficiaries.BeneficiariesServiceControllerMethods()
export class BeneficiariesGrpcController implements beneficiaries.BeneficiariesServiceController {
  constructor(
    private readonly regions: RegionsService,
    private readonly households: HouseholdsService,
    private readonly agreements: AgreementsService,
    private readonly registerImport: RegisterImportService,
    private readonly monitoring: MonitoringService,
    private readonly payouts: PayoutsService,
  ) {}

  @Accepts({ gateway: PUBLIC })
  async listTowns(): Promise<beneficiaries.ListTownsResponse> {
    return { towns: (await this.regions.listTowns()).map(toTownMessage) };
  }

  // Anyone through the gateway; the ledger mapping villages to towns for its reports.
  @Accepts({ gateway: PUBLIC, ledger: SERVICE })
  async listVillages(
    request: beneficiaries.ListVillagesRequest,
  ): Promise<beneficiaries.ListVillagesResponse> {
    const result = await this.regions.listVillages(request);
    return { villages: result.items.map(toVillageMessage), page: pageInfo(result) };
  }

  @Accepts({ gateway: USER })
  async createHousehold(
    request: beneficiaries.CreateHouseholdRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.CreateHouseholdResponse> {
    const household = await this.households.create(callerOf(metadata), {
      ...request,
      status:
        householdStatus.fromWire(request.status) ?? wireName(request.status, 'HOUSEHOLD_STATUS_UNSPECIFIED'),
    });
    return { household: toHouseholdMessage(household) };
  }

  @Accepts({ gateway: USER })
  async getHousehold(
    request: beneficiaries.GetHouseholdRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.GetHouseholdResponse> {
    return { household: toHouseholdMessage(await this.households.get(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async listHouseholds(
    request: beneficiaries.ListHouseholdsRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.ListHouseholdsResponse> {
    const result = await this.households.list(callerOf(metadata), {
      ...request,
      status:
        householdStatus.fromWire(request.status) ?? wireName(request.status, 'HOUSEHOLD_STATUS_UNSPECIFIED'),
    });
    return {
      households: result.items.map(toHouseholdMessage),
      page: pageInfo(result),
      nextCursor: result.nextCursor,
    };
  }

  @Accepts({ gateway: USER })
  async updateHouseholdStatus(
    request: beneficiaries.UpdateHouseholdStatusRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.UpdateHouseholdStatusResponse> {
    const household = await this.households.updateStatus(callerOf(metadata), {
      ...request,
      status:
        householdStatus.fromWire(request.status) ?? wireName(request.status, 'HOUSEHOLD_STATUS_UNSPECIFIED'),
    });
    return { household: toHouseholdMessage(household) };
  }

  @Accepts({ gateway: USER })
  async findHouseholdByNationalId(
    request: beneficiaries.FindHouseholdByNationalIdRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.FindHouseholdByNationalIdResponse> {
    const household = await this.households.findByNationalId(callerOf(metadata), request);
    return { household: household ? toHouseholdMessage(household) : undefined };
  }

  @Accepts({ gateway: USER })
  async createBenefitAgreement(
    request: beneficiaries.CreateBenefitAgreementRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.CreateBenefitAgreementResponse> {
    const agreement = await this.agreements.create(callerOf(metadata), {
      ...request,
      kind: agreementKind.fromWire(request.kind) ?? wireName(request.kind, 'AGREEMENT_KIND_UNSPECIFIED'),
    });
    return { agreement: toAgreementMessage(agreement) };
  }

  @Accepts({ gateway: USER })
  async listBenefitAgreements(
    request: beneficiaries.ListBenefitAgreementsRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.ListBenefitAgreementsResponse> {
    const result = await this.agreements.list(callerOf(metadata), {
      ...request,
      asOf: fromTimestamp(request.asOf),
    });
    return { agreements: result.items.map(toAgreementMessage), page: pageInfo(result) };
  }

  @Accepts({ gateway: USER })
  async endBenefitAgreement(
    request: beneficiaries.EndBenefitAgreementRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.EndBenefitAgreementResponse> {
    return { agreement: toAgreementMessage(await this.agreements.end(callerOf(metadata), request)) };
  }

  // The relief office and producer staff through the gateway; the ledger splitting a sale.
  @Accepts({ gateway: USER, ledger: SERVICE })
  async getBenefitShares(
    request: beneficiaries.GetBenefitSharesRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.GetBenefitSharesResponse> {
    const result = await this.agreements.shares(callerOf(metadata), {
      producerId: request.producerId,
      asOf: fromTimestamp(request.asOf),
    });
    const villageShares = result.villageShares.map(toCollectiveShareMessage);
    return request.compact
      ? { shares: [], totalWeight: result.totalWeight, villageShares, columns: toShareColumns(result.shares) }
      : { shares: toShareMessages(result.shares), totalWeight: result.totalWeight, villageShares };
  }

  @Accepts({ gateway: USER })
  async createVillageCollectiveShare(
    request: beneficiaries.CreateVillageCollectiveShareRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.CreateVillageCollectiveShareResponse> {
    return {
      share: toCollectiveShareMessage(
        await this.agreements.createCollectiveShare(callerOf(metadata), { ...request }),
      ),
    };
  }

  // Catalog checking a lot's supplier households; the ledger finding their villages.
  @Accepts({ catalog: SERVICE, ledger: SERVICE })
  async validateSuppliers(
    request: beneficiaries.ValidateSuppliersRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.ValidateSuppliersResponse> {
    const results = await this.agreements.validateSuppliers(callerOf(metadata), {
      producerId: request.producerId,
      householdIds: request.householdIds,
      asOf: fromTimestamp(request.asOf),
    });
    return { results, allOk: results.every((r) => r.ok) };
  }

  // The ledger choosing a distribution run's recipients or checking an allocation's households.
  @Accepts({ ledger: SERVICE })
  async listDistributionRecipients(
    request: beneficiaries.ListDistributionRecipientsRequest,
  ): Promise<beneficiaries.ListDistributionRecipientsResponse> {
    const rows = await this.households.distributionRecipients({
      ...request,
      status:
        householdStatus.fromWire(request.status) ?? wireName(request.status, 'HOUSEHOLD_STATUS_UNSPECIFIED'),
    });
    return {
      households: rows.map((r) => ({
        householdId: r.id,
        villageId: r.villageId,
        townId: r.townId,
        members: r.members,
        status: householdStatus.toWire(r.status),
      })),
    };
  }

  /**
   * Client stream: options first, then batches of rows, each validated and written (in the import's
   * one transaction) as it arrives; answered once the stream ends. At most a few batches wait in
   * memory: beyond that the call is paused, and HTTP/2 flow control holds the sender back. Returns
   * an Observable, not a Promise: Nest releases the buffered request messages only once the
   * handler has returned, so a handler that awaited the stream would wait forever.
   */
  @Accepts({ gateway: USER })
  importRegister(
    request: Observable<beneficiaries.ImportRegisterRequest>,
    metadata?: Metadata,
    call?: ServerReadableStream<unknown, unknown>,
  ): Observable<beneficiaries.ImportRegisterResponse> {
    const caller = callerOf(metadata);
    let session: Promise<RegisterImportSession> | undefined;
    const open = (options: ImportOptions) => (session ??= this.registerImport.open(caller, options));
    let waiting = 0;
    return request.pipe(
      tap(() => {
        waiting += 1;
        if (waiting > MAX_WAITING_BATCHES) {
          call?.pause();
        }
      }),
      concatMap(async (message, index) => {
        try {
          if (message.options) {
            if (index > 0) {
              throw new ValidationFailed([
                { field: 'options', reason: 'must come once, in the first message' },
              ]);
            }
            await open({
              partial: message.options.partial,
              dryRun: message.options.dryRun,
              purpose: message.options.purpose,
            });
          }
          const rows = message.batch?.rows ?? [];
          if (rows.length > 0) {
            await (await open(DEFAULT_IMPORT_OPTIONS)).add(rows.map(toImportRow));
          }
        } finally {
          waiting -= 1;
          if (waiting <= 1 && call?.isPaused()) {
            call.resume();
          }
        }
      }),
      last(null, undefined),
      mergeMap(() => from(this.finishImport(open(DEFAULT_IMPORT_OPTIONS)))),
      finalize(() => void session?.then((s) => s.abort()).catch(() => undefined)),
    );
  }

  private async finishImport(
    session: Promise<RegisterImportSession>,
  ): Promise<beneficiaries.ImportRegisterResponse> {
    const report = await (await session).finish();
    return {
      householdsCreated: report.householdsCreated,
      householdsUpdated: report.householdsUpdated,
      agreementsCreated: report.agreementsCreated,
      rejected: report.rejected,
      committed: report.committed,
      rowsRead: report.rowsRead,
    };
  }

  @Accepts({ gateway: USER })
  async listPiiAccess(
    request: beneficiaries.ListPiiAccessRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.ListPiiAccessResponse> {
    const result = await this.households.listAccess(callerOf(metadata), request);
    return { entries: result.items.map(toPiiAccessMessage), page: pageInfo(result) };
  }

  @Accepts({ gateway: PUBLIC })
  async getRegisterSummary(): Promise<beneficiaries.GetRegisterSummaryResponse> {
    return this.regions.summary();
  }

  // The relief office; it reads the ledger as beneficiaries, then writes the cases.
  @Accepts({ gateway: USER })
  async refreshMonitoringCases(
    request: beneficiaries.RefreshMonitoringCasesRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.RefreshMonitoringCasesResponse> {
    const result = await this.monitoring.refresh(callerOf(metadata), { asOf: fromTimestamp(request.asOf) });
    return toRefreshMessage(result);
  }

  @Accepts({ gateway: USER })
  async listMonitoringCases(
    request: beneficiaries.ListMonitoringCasesRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.ListMonitoringCasesResponse> {
    const result = await this.monitoring.list(callerOf(metadata), request);
    return { cases: result.items.map(toCaseMessage), page: pageInfo(result) };
  }

  @Accepts({ gateway: USER })
  async updateMonitoringCase(
    request: beneficiaries.UpdateMonitoringCaseRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.UpdateMonitoringCaseResponse> {
    return { case: toCaseMessage(await this.monitoring.update(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async setPayoutAccount(
    request: beneficiaries.SetPayoutAccountRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.SetPayoutAccountResponse> {
    return { account: toPayoutAccountMessage(await this.payouts.set(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async getPayoutAccount(
    request: beneficiaries.GetPayoutAccountRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.GetPayoutAccountResponse> {
    return { account: toPayoutAccountMessage(await this.payouts.get(callerOf(metadata), request)) };
  }

  // The ledger building a payout batch: ids only.
  @Accepts({ ledger: SERVICE })
  async listPayoutReadiness(
    request: beneficiaries.ListPayoutReadinessRequest,
  ): Promise<beneficiaries.ListPayoutReadinessResponse> {
    return { readyHouseholdIds: await this.payouts.readiness(request) };
  }

  // Only an officer through the gateway: the file holds account numbers in full.
  @Accepts({ gateway: USER })
  async renderPayoutFile(
    request: beneficiaries.RenderPayoutFileRequest,
    metadata?: Metadata,
  ): Promise<beneficiaries.RenderPayoutFileResponse> {
    return this.payouts.renderFile(callerOf(metadata), request);
  }
}
