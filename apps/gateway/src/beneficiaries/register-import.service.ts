import { Inject, Injectable, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { beneficiaries } from '@yugong/contracts';
import type { CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed, type FieldError } from '@yugong/shared/errors';
import { CsvError, parse, type Info } from 'csv-parse';
import type { FastifyRequest } from 'fastify';
import { pipeline, type Readable } from 'node:stream';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { BeneficiariesClient } from './beneficiaries.client';
import {
  convertRow,
  mergeRejections,
  parseHeader,
  startLine,
  type ImportRejectionJson,
  type RegisterColumn,
} from './register-csv.util';

/** The multipart limits of the gateway: one file of at most `maxFileBytes`, a few small fields. */
export function multipartLimits(maxFileBytes: number) {
  return { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 1_024, parts: 12 };
}
/** Rows per streamed message. */
export const IMPORT_BATCH_ROWS = 500;
/** The whole import, upload included, must finish within this. */
export const IMPORT_DEADLINE_MS = 10 * 60_000;
/** A record longer than this is not a register row. */
const MAX_RECORD_BYTES = 64 * 1_024;

/** How an import runs, as the endpoint takes it. */
export interface ImportOptionsJson {
  partial: boolean;
  dryRun: boolean;
  /** Why the file is imported; recorded with every household it matches by national ID. */
  purpose: string;
}

/** What the import endpoint answers: the service's report, rejections named by file column. */
export interface ImportReportJson {
  rowsRead: number;
  householdsCreated: number;
  householdsUpdated: number;
  agreementsCreated: number;
  rejected: ImportRejectionJson[];
  /** False for a dry run, and when a bad row stopped an all-or-nothing import. */
  committed: boolean;
  partial: boolean;
  dryRun: boolean;
}

/**
 * Streams a register file (CSV, UTF-8, first line naming the columns) through csv-parse into the
 * client-streaming ImportRegister call in batches, never holding the whole file: reading waits for
 * the gRPC channel, and the upload waits for reading.
 */
@Injectable()
export class RegisterImportService {
  constructor(
    private readonly beneficiaries: BeneficiariesClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The `file` field of a multipart/form-data upload, imported as it arrives. */
  async importUpload(
    request: FastifyRequest,
    options: ImportOptionsJson,
    ctx: { caller: CallerIdentity; requestId?: string },
  ): Promise<ImportReportJson> {
    if (!request.isMultipart()) {
      throw new UnsupportedMediaTypeException(
        'send the register file as multipart/form-data, in the field "file"',
      );
    }
    const part = await request.file();
    if (!part) {
      throw new ValidationFailed([{ field: 'file', reason: 'is required (a CSV file)' }]);
    }
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new ValidationFailed([
        { field: part.fieldname, reason: 'is not expected: send the CSV in the field "file"' },
      ]);
    }
    // Busboy only truncates a file over the limit; end the import with 413 instead.
    part.file.once('limit', () => {
      part.file.destroy(
        new PayloadTooLargeException(
          `the register file is larger than ${this.config.IMPORT_MAX_FILE_BYTES} bytes (IMPORT_MAX_FILE_BYTES): split it`,
        ),
      );
    });
    return this.importCsv(part.file, options, ctx);
  }

  async importCsv(
    file: Readable,
    options: ImportOptionsJson,
    ctx: { caller: CallerIdentity; requestId?: string },
  ): Promise<ImportReportJson> {
    const refused = new Map<number, FieldError[]>();
    const report = await this.beneficiaries.imports.importRegister(options, this.batches(file, refused), {
      ...ctx,
      deadlineMs: IMPORT_DEADLINE_MS,
    });
    return {
      rowsRead: report.rowsRead,
      householdsCreated: report.householdsCreated,
      householdsUpdated: report.householdsUpdated,
      agreementsCreated: report.agreementsCreated,
      rejected: mergeRejections(report.rejected, refused),
      committed: report.committed,
      partial: options.partial,
      dryRun: options.dryRun,
    };
  }

  /** Rows of the file in batches; records the rows the gateway refused in `refused`, by line. */
  private async *batches(
    file: Readable,
    refused: Map<number, FieldError[]>,
  ): AsyncGenerator<beneficiaries.ImportRow[]> {
    const parser = parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      max_record_size: MAX_RECORD_BYTES,
    });
    // Errors of the upload (too large, cut off) reach the loop below through the parser.
    pipeline(file, parser, () => undefined);
    let columns: RegisterColumn[] | undefined;
    let batch: beneficiaries.ImportRow[] = [];
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        if (!columns) {
          columns = parseHeader(record);
          continue;
        }
        const line = startLine(info.lines, record);
        const { row, errors } = convertRow(record, columns, line);
        if (errors.length > 0) {
          refused.set(line, errors);
        }
        batch.push(row);
        if (batch.length >= IMPORT_BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      if (error instanceof CsvError) {
        throw new ValidationFailed(
          [{ field: 'file', reason: `is not valid CSV at line ${error.lines ?? '?'}: ${error.message}` }],
          'The file is not valid CSV',
        );
      }
      throw error;
    } finally {
      parser.destroy();
    }
    if (!columns) {
      throw new ValidationFailed([
        { field: 'file', reason: 'is empty: its first line must name the columns' },
      ]);
    }
    if (batch.length > 0) {
      yield batch;
    }
  }
}
