import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import {
  CreateHouseholdDto,
  FindHouseholdDto,
  GetHouseholdQuery,
  HouseholdAgreementsQuery,
  ImportQuery,
  ListHouseholdsQuery,
  UpdateHouseholdStatusDto,
} from './dto/beneficiaries.dto';
import { REGISTER_COLUMNS } from './register-csv.util';
import { BeneficiariesGatewayService } from './beneficiaries-gateway.service';
import { RegisterImportService } from './register-import.service';
import { HOUSEHOLD_READERS, RELIEF_OFFICE } from './beneficiaries.roles';

/** Registered households (建档立卡户): masked for every reader but the relief office on a stated read. */
@ApiTags('register')
@ApiBearerAuth()
@Controller('households')
@NoStore()
export class HouseholdsController {
  constructor(
    private readonly beneficiaries: BeneficiariesGatewayService,
    private readonly imports: RegisterImportService,
  ) {}

  /** Always masked; producer staff see only households linked to their producers. */
  @Roles(...HOUSEHOLD_READERS)
  @Get()
  async list(
    @Query() query: ListHouseholdsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.listHouseholds(query, { caller, requestId });
  }

  @Roles(...RELIEF_OFFICE)
  @Post()
  async create(
    @Body() body: CreateHouseholdDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.createHousehold(body, { caller, requestId });
  }

  /**
   * A register file, streamed: households (and one agreement per row) created or updated by
   * archive number; every bad row reported by line, column and reason. All or nothing unless
   * `partial=true`; `dryRun=true` writes nothing. `purpose` is required: every household the file
   * matches by national ID is recorded in the access log with it, dry runs included (the report
   * tells whether an ID is registered). Answers 200 with the report either way.
   */
  @Roles(...RELIEF_OFFICE)
  @Post('import')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          description:
            'CSV, UTF-8 (a BOM is fine), at most IMPORT_MAX_FILE_BYTES (20 MiB by default). The first line names ' +
            `the columns, in any order: ${Object.keys(REGISTER_COLUMNS).join(', ')} ` +
            '(snake_case also accepted). Required: archiveNumber, headName, nationalId, members, and ' +
            'villageId or townNameZh + villageNameZh. status: registered (default), exited, ' +
            'monitored_edge, monitored_unstable. baselineIncomeFen in fen. The agreement columns ' +
            '(producerId, agreementKind: employment, dividend, supply, land_lease; agreementWeight; ' +
            'agreementEffectiveFrom/To: YYYY-MM-DD, To exclusive) are empty for a row without one.',
        },
      },
    },
  })
  async import(
    @Query() query: ImportQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    try {
      return await this.imports.importUpload(
        request,
        { partial: query.partial ?? false, dryRun: query.dryRun ?? false, purpose: query.purpose },
        { caller, requestId },
      );
    } catch (error) {
      // The rest of a refused upload is not read: close the connection after the answer.
      void reply.header('connection', 'close');
      throw error;
    }
  }

  /** Relief office: the household with this national ID (in a body, to keep it out of URLs); logged. */
  @Roles(...RELIEF_OFFICE)
  @Post('lookup')
  @HttpCode(200)
  async lookup(
    @Body() body: FindHouseholdDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.findHousehold(body, { caller, requestId });
  }

  /**
   * Relief office: in full with a `purpose` (recorded in the access log), or `masked=true`.
   * Auditors masked; producer staff masked and only when linked.
   */
  @Roles(...HOUSEHOLD_READERS)
  @Get(':id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: GetHouseholdQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.getHousehold(id, query, { caller, requestId });
  }

  @Roles(...RELIEF_OFFICE)
  @Patch(':id/status')
  async updateStatus(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateHouseholdStatusDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.updateHouseholdStatus(id, body, { caller, requestId });
  }

  /** The household's benefit agreements; producer staff see only their producers' ones. */
  @Roles(...HOUSEHOLD_READERS)
  @Get(':id/agreements')
  async agreements(
    @Param('id', uuidParam('id')) householdId: string,
    @Query() query: HouseholdAgreementsQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    return this.beneficiaries.listAgreements({ ...query, householdId }, { caller, requestId });
  }
}
