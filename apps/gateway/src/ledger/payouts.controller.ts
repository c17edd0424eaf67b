import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { beneficiaries, catalog, ledger } from '@yugong/contracts';
import { Caller, Roles, type CallerIdentity } from '@yugong/shared/auth';
import { FailedPrecondition, ValidationFailed } from '@yugong/shared/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BeneficiariesClient } from '../beneficiaries/beneficiaries.client';
import { CatalogClient } from '../catalog/catalog.client';
import { isoOf } from '../catalog/catalog.views';
import { NoStore } from '../common/no-store.util';
import { RequestId, uuidParam } from '../common/request-context.util';
import {
  CreatePayoutBatchDto,
  GetPayoutAccountQuery,
  ListPayoutBatchesQuery,
  SetPayoutAccountDto,
  SetProducerPayoutAccountDto,
  SettlePayoutBatchDto,
} from './dto/payouts.dto';
import { PayoutsClient } from './payouts.client';
import { sendCsv } from '../common/csv-reply.util';

/** The bank file's header line, as beneficiaries writes it. */
const PAYOUT_FILE_HEADER = 'payee_name,bank_account,bank_name,amount,reference\n';

/** The bank's return file may be this large at most. */
const RETURN_FILE_MAX_BYTES = 5 * 1024 * 1024;

function batchJson(b: ledger.PayoutBatch) {
  return {
    id: b.id,
    number: b.number,
    state: b.state,
    minimumFen: b.minimumFen,
    totalFen: b.totalFen,
    lineCount: b.lineCount,
    skippedCount: b.skippedCount,
    paidFen: b.paidFen,
    failedFen: b.failedFen,
    memo: b.memo,
    createdBy: b.createdBy,
    createdAt: b.createdAt ? isoOf(b.createdAt) : null,
    sentBy: b.sentBy || null,
    sentAt: b.sentAt ? isoOf(b.sentAt) : null,
    settledBy: b.settledBy || null,
    settledAt: b.settledAt ? isoOf(b.settledAt) : null,
  };
}

function detailJson(d: ledger.PayoutBatchDetail | undefined) {
  return {
    ...batchJson(d!.batch!),
    lines: d!.lines.map((l) => ({
      payeeKind: l.payeeKind,
      payeeId: l.payeeId,
      householdId: l.householdId || null,
      amountFen: l.amountFen,
      reference: l.reference || null,
      status: l.status,
      skipReason: l.skipReason || null,
    })),
  };
}

function accountJson(a: beneficiaries.PayoutAccount | undefined) {
  return {
    householdId: a!.householdId,
    payeeName: a!.payeeName,
    accountNumber: a!.accountNumber,
    bankName: a!.bankName,
    masked: a!.masked,
    updatedAt: a!.updatedAt ? isoOf(a!.updatedAt) : null,
  };
}

function producerAccountJson(a: catalog.ProducerPayoutAccount | undefined) {
  return {
    producerId: a!.producerId,
    payeeName: a!.payeeName,
    accountNumber: a!.accountNumber,
    bankName: a!.bankName,
    masked: true,
    updatedAt: a!.updatedAt ? isoOf(a!.updatedAt) : null,
  };
}

/**
 * Payout batches of household balances and producer payables. The ledger holds the batch and its
 * money; the bank file is made each time it is asked for, and streamed, never stored: the
 * households' rows by beneficiaries, the producers' by catalog (each holds its payees' accounts). Officers act, auditors read; the services check each caller again.
 */
@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger/payout-batches')
export class PayoutBatchesController {
  constructor(
    private readonly payouts: PayoutsClient,
    private readonly beneficiaries: BeneficiariesClient,
    private readonly catalog: CatalogClient,
  ) {}

  /** Reserves every household balance and producer payable of at least `minimumFen` outside an open batch. */
  @Roles('relief_officer', 'admin')
  @Post()
  async create(
    @Body() body: CreatePayoutBatchDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.payouts.call(
      'createPayoutBatch',
      { minimumFen: body.minimumFen, memo: body.memo ?? '' },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }

  @Roles('relief_officer', 'auditor', 'admin')
  @Get()
  async list(
    @Query() query: ListPayoutBatchesQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.payouts.call(
      'listPayoutBatches',
      { state: query.state ?? '' },
      { caller, requestId, idempotent: true },
    );
    return { items: res.batches.map(batchJson) };
  }

  @Roles('relief_officer', 'auditor', 'admin')
  @Get(':id')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.payouts.call('getPayoutBatch', { id }, { caller, requestId, idempotent: true });
    return detailJson(res.detail);
  }

  /**
   * The bank batch-transfer file (CSV: payee_name, bank_account, bank_name, amount in yuan,
   * reference) of a draft or sent batch, in line order (households, then producers): the same
   * bytes every time; each household in it is written to the PII access log with the purpose
   * "payout batch <id>", and catalog logs the producers' rows with the same purpose.
   */
  @Roles('relief_officer', 'admin')
  @Get(':id/file')
  @NoStore()
  @ApiProduces('text/csv')
  async file(
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const { detail } = await this.payouts.call(
      'getPayoutBatch',
      { id },
      { caller, requestId, idempotent: true },
    );
    const batch = detail!.batch!;
    if (batch.state === 'settled') {
      throw new FailedPrecondition('PAYOUT_BATCH_SETTLED', 'a settled payout batch has no file to send');
    }
    const open = detail!.lines.filter((l) => l.status === 'reserved' || l.status === 'in_transit');
    if (open.length === 0) {
      throw new FailedPrecondition('PAYOUT_BATCH_EMPTY', 'every payee of the batch was skipped: no file');
    }
    // Lines are numbered households first, then producers: the two parts joined keep line order.
    const households = open
      .filter((l) => l.payeeKind !== 'producer')
      .map((l) => ({
        householdId: l.payeeId || l.householdId,
        amountFen: l.amountFen,
        reference: l.reference,
      }));
    const producers = open
      .filter((l) => l.payeeKind === 'producer')
      .map((l) => ({ producerId: l.payeeId, amountFen: l.amountFen, reference: l.reference }));
    const parts: Buffer[] = [];
    if (households.length > 0) {
      const res = await this.beneficiaries.call(
        'renderPayoutFile',
        { batchId: id, lines: households },
        { caller, requestId },
      );
      parts.push(Buffer.from(res.csv));
    } else {
      parts.push(Buffer.from(PAYOUT_FILE_HEADER, 'utf8'));
    }
    if (producers.length > 0) {
      const res = await this.catalog.call(
        'renderProducerPayoutRows',
        { batchId: id, lines: producers },
        { caller, requestId },
      );
      parts.push(Buffer.from(res.csv));
    }
    return sendCsv(reply, `payout-batch-${batch.number}.csv`, Buffer.concat(parts));
  }

  /** draft → sent: the reserved amounts are in transit. Again: the sent batch, nothing moved. */
  @Roles('relief_officer', 'admin')
  @Post(':id/sent')
  @HttpCode(200)
  async sent(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.payouts.call('markPayoutBatchSent', { id }, { caller, requestId });
    return detailJson(res.detail);
  }

  /** sent → settled by an officer's confirmation: the lines named failed go back to their households. */
  @Roles('relief_officer', 'admin')
  @Post(':id/settlement')
  @HttpCode(200)
  async settle(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SettlePayoutBatchDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.payouts.call(
      'settlePayoutBatch',
      { id, failedReferences: body.failedReferences, returnFile: Buffer.alloc(0) },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }

  /** sent → settled from the bank's return file: every line it lists (by reference) failed. */
  @Roles('relief_officer', 'admin')
  @Post(':id/return-file')
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
            'CSV, UTF-8, at most 5 MiB; a header line naming a `reference` column; each row a failed line',
        },
      },
    },
  })
  async returnFile(
    @Param('id', uuidParam('id')) id: string,
    @Req() request: FastifyRequest,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    if (!request.isMultipart()) {
      throw new ValidationFailed([{ field: 'file', reason: 'send the return file as multipart/form-data' }]);
    }
    const part = await request.file({ limits: { fileSize: RETURN_FILE_MAX_BYTES } });
    if (!part || part.fieldname !== 'file') {
      part?.file.resume();
      throw new ValidationFailed([{ field: 'file', reason: 'is required (a CSV file in the field "file")' }]);
    }
    const bytes = await part.toBuffer().catch(() => {
      throw new ValidationFailed([
        { field: 'file', reason: `must be at most ${RETURN_FILE_MAX_BYTES} bytes` },
      ]);
    });
    if (bytes.length === 0) {
      throw new ValidationFailed([{ field: 'file', reason: 'is empty' }]);
    }
    const res = await this.payouts.call(
      'settlePayoutBatch',
      { id, failedReferences: [], returnFile: bytes },
      { caller, requestId },
    );
    return detailJson(res.detail);
  }
}

/**
 * A household's bank account for payouts, kept by beneficiaries encrypted. Officers set it; they
 * read it in full only with a purpose (logged), else it is masked (`****1234`), as for auditors.
 */
@ApiTags('households')
@ApiBearerAuth()
@Controller('households')
@NoStore()
export class PayoutAccountsController {
  constructor(private readonly beneficiaries: BeneficiariesClient) {}

  @Roles('relief_officer', 'admin')
  @Put(':id/payout-account')
  async set(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SetPayoutAccountDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.beneficiaries.call(
      'setPayoutAccount',
      {
        householdId: id,
        payeeName: body.payeeName,
        accountNumber: body.accountNumber,
        bankName: body.bankName,
      },
      { caller, requestId },
    );
    return accountJson(res.account);
  }

  @Roles('relief_officer', 'auditor', 'admin')
  @Get(':id/payout-account')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: GetPayoutAccountQuery,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.beneficiaries.call(
      'getPayoutAccount',
      { householdId: id, purpose: query.purpose ?? '', masked: query.masked ?? false },
      { caller, requestId, idempotent: true },
    );
    return accountJson(res.account);
  }
}

/**
 * A producer's bank account for payouts, kept by catalog. Officers set it; officers, auditors and
 * the producer's own staff read it, always masked (`****1234`): the number leaves catalog only in
 * a batch's bank file.
 */
@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('producers')
@NoStore()
export class ProducerPayoutAccountsController {
  constructor(private readonly catalog: CatalogClient) {}

  @Roles('relief_officer', 'admin')
  @Put(':id/payout-account')
  async set(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: SetProducerPayoutAccountDto,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.catalog.call(
      'setProducerPayoutAccount',
      {
        producerId: id,
        payeeName: body.payeeName,
        accountNumber: body.accountNumber,
        bankName: body.bankName,
      },
      { caller, requestId },
    );
    return producerAccountJson(res.account);
  }

  /** Catalog refuses producer staff of another producer. */
  @Roles('relief_officer', 'auditor', 'admin', 'producer_staff')
  @Get(':id/payout-account')
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Caller() caller: CallerIdentity,
    @RequestId() requestId: string,
  ) {
    const res = await this.catalog.call(
      'getProducerPayoutAccount',
      { producerId: id },
      { caller, requestId, idempotent: true },
    );
    return producerAccountJson(res.account);
  }
}
