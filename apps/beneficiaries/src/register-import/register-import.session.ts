// Longer than the house's 400 lines: the rules across the rows of one import and its pipeline
// (look at the register, seal, write) share the session's state; split, they would pass it around.
import type { Logger } from '@nestjs/common';
import type { FieldError } from '@yugong/shared/errors';
import { randomUUID } from 'node:crypto';
import { isOverlapViolation, OverlappingAgreement } from '../agreements/agreement.errors';
import { RegisterChangedDuringImport } from './register-import.errors';
import type { HouseholdFields } from '../households/household.schemas';
import type { PiiCipher } from '../pii/pii-cipher';
import type { PiiSealPool } from '../pii/pii-seal-pool';
import type { AgreementFields, ImportOptions, ImportRowInput } from './register-import.schemas';
import {
  isUniqueViolation,
  type AgreementColumns,
  type ExistingAgreement,
  type HouseholdColumns,
  type ImportTransaction,
  type RegisteredHousehold,
  type RegisterImportRepository,
} from './register-import.repository';

export interface ImportReport {
  rowsRead: number;
  householdsCreated: number;
  householdsUpdated: number;
  agreementsCreated: number;
  rejected: { line: number; field: string; reason: string }[];
  committed: boolean;
}

/** A row that passed the checks of its own fields. */
export interface GoodRow {
  line: number;
  household: HouseholdFields & { villageId: string; hash: string };
  agreement?: AgreementFields;
}

/** The checks of one row on its own: the row made good, or the problems of its fields. */
export type RowCheck = (row: ImportRowInput, line: number) => GoodRow | FieldError[];

/** Records in the PII access log that the import matched these registered households. */
export type MatchLog = (householdIds: string[]) => Promise<void>;

/**
 * What the import knows of one household of the file, by archive number and by national-ID hash
 * alike (one object for both, kept until the import ends: O(1) per household, not per row).
 */
interface HouseholdSeen {
  archive: string;
  hash: string;
  /** The first line that gave it, and the last line that gave its national ID. */
  line: number;
  lastLine: number;
  /** Set once a row of it was accepted (the first accepted row gives the household's fields). */
  accepted: boolean;
  /** Its id and village once written in this import's transaction. */
  id?: string;
  villageId?: string;
}

/** Rows per lookup query of the register. */
const LOOKUP_CHUNK = 5_000;
/**
 * Batches parsed and waiting for their look at the register and their write: the next batch is
 * parsed while the one before waits on PostgreSQL, and memory stays bounded.
 */
const MAX_QUEUED_BATCHES = 2;

/** A batch's households, sealed: those the register holds and those it does not. */
interface BatchColumns {
  registered: HouseholdColumns;
  unregistered: HouseholdColumns;
}

/** The register as it stood before the import, for the archive numbers and hashes of one batch. */
interface RegisterExcerpt {
  households: RegisteredHousehold[];
  /** The agreements of those households whose archive numbers the batch names. */
  agreements: ExistingAgreement[];
}
const DAY_AFTER_EVERYTHING = '9999-12-31';

function overlaps(a: { effectiveFrom: string; effectiveTo: string | null }, b: typeof a): boolean {
  return (
    a.effectiveFrom < (b.effectiveTo ?? DAY_AFTER_EVERYTHING) &&
    b.effectiveFrom < (a.effectiveTo ?? DAY_AFTER_EVERYTHING)
  );
}

const agreementKey = (archive: string, producerId: string, kind: string) =>
  `${archive}|${producerId}|${kind}`;

/**
 * One import in progress. Each batch is validated against the rows before it (maps keyed by archive
 * number and national-ID hash, so linear in the rows) and against the register as it stood before
 * the import, then written at once inside the import's single transaction, which `finish` commits
 * (or rolls back when a bad row stops an all-or-nothing import). Memory grows with the distinct
 * households and agreements of the file, never with its rows; the rows of a batch are dropped once
 * it is written.
 */
export class RegisterImportSession {
  private readonly rejected: ImportReport['rejected'] = [];
  /** The batches' turns (look at the register, decide, write), one after the other. */
  private queue: Promise<void> = Promise.resolve();
  private readonly queued: Promise<void>[] = [];
  private readonly seen = new Map<string, HouseholdSeen>();
  /** The same households by national-ID hash. */
  private readonly seenByHash = new Map<string, HouseholdSeen>();
  /** Register before the import, for the archive numbers and hashes of the file. */
  private readonly existingIdOfArchive = new Map<string, string>();
  private readonly holderOfHash = new Map<string, { archive: string; id: string }>();
  /** Registered households the file matched by national ID, already in the access log. */
  private readonly logged = new Set<string>();
  /** Agreement periods per archive, producer and kind: those held before the import and those added. */
  private readonly periods = new Map<string, { effectiveFrom: string; effectiveTo: string | null }[]>();
  private rowsRead = 0;
  private householdsCreated = 0;
  private householdsUpdated = 0;
  private agreementsCreated = 0;
  private trx: ImportTransaction | undefined;
  private previousWrite: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly repository: RegisterImportRepository,
    private readonly cipher: PiiCipher,
    private readonly sealPool: PiiSealPool,
    private readonly options: ImportOptions,
    private readonly checkRow: RowCheck,
    private readonly logMatches: MatchLog,
    private readonly logger: Logger,
  ) {}

  /** Whether rows are still written: not a dry run, and no bad row has doomed an all-or-nothing import. */
  private get writing(): boolean {
    return !this.options.dryRun && (this.options.partial || this.rejected.length === 0);
  }

  private reject(line: number, errors: FieldError[]): void {
    for (const e of errors) {
      this.rejected.push({ line, field: e.field, reason: e.reason });
    }
  }

  /**
   * Validates one batch of rows on their own and against the rows before them, then queues its
   * look at the register and, while the import may still commit, its write. Resolves once the batch
   * is queued (waiting for an earlier one when too many are); a failure of a queued batch is thrown
   * by a later `add` or by `finish`.
   */
  async add(rows: ImportRowInput[]): Promise<void> {
    if (this.done) {
      throw new Error('register import already finished');
    }
    const parsed = this.parse(rows);

    // Across rows: one archive number is one household, one national ID one archive number.
    const consistent: GoodRow[] = [];
    const newArchives: string[] = [];
    const newHashes: string[] = [];
    for (const row of parsed) {
      const { archiveNumber: archive, hash } = row.household;
      const first = this.seen.get(archive);
      if (first && first.hash !== hash) {
        this.reject(row.line, [
          { field: 'nationalId', reason: `differs from line ${first.line} for the same archive number` },
        ]);
        continue;
      }
      const other = this.seenByHash.get(hash);
      if (other && other.archive !== archive) {
        this.reject(row.line, [
          { field: 'nationalId', reason: `repeats the national ID of line ${other.lastLine}` },
        ]);
        continue;
      }
      // Past both checks, a household known by its archive number is the one known by its hash.
      if (first) {
        first.lastLine = row.line;
      } else {
        const household: HouseholdSeen = {
          archive,
          hash,
          line: row.line,
          lastLine: row.line,
          accepted: false,
        };
        this.seen.set(archive, household);
        this.seenByHash.set(hash, household);
        newArchives.push(archive);
        newHashes.push(hash);
      }
      consistent.push(row);
    }

    // The register as it stood before the import, read now (outside the import's transaction)
    // while the batches before this one are still being written.
    const register = this.readRegister(newArchives, newHashes);
    register.catch(() => undefined); // awaited by this batch's turn below
    const turn = this.queue.then(() => this.settle(consistent, register));
    turn.catch(() => undefined); // awaited (and so thrown) by a later add or by finish
    this.queue = turn;
    this.queued.push(turn);
    while (this.queued.length > MAX_QUEUED_BATCHES) {
      await this.queued.shift();
    }
  }

  /**
   * One batch's turn, in the order the batches came: what the register holds decides each row
   * (updated, created, refused), then the batch is written.
   */
  private async settle(consistent: GoodRow[], register: Promise<RegisterExcerpt>): Promise<void> {
    this.learn(await register);

    const households: GoodRow['household'][] = [];
    const agreements: (AgreementFields & { archive: string })[] = [];
    const matched: string[] = [];
    for (const row of consistent) {
      const archive = row.household.archiveNumber;
      const holder = this.holderOfHash.get(row.household.hash);
      // The report will tell whether this national ID is registered: that is a read of the register.
      if (holder && !this.logged.has(holder.id)) {
        this.logged.add(holder.id);
        matched.push(holder.id);
      }
      // A national ID may not move to another archive number.
      if (holder && holder.archive !== archive) {
        this.reject(row.line, [{ field: 'nationalId', reason: 'is registered to another household' }]);
        continue;
      }
      // Agreements: an identical one already held is skipped (re-import); an overlapping one refused.
      const agreement = row.agreement;
      if (agreement) {
        const key = agreementKey(archive, agreement.producerId, agreement.kind);
        const known = this.periods.get(key);
        const clashes = known?.filter((a) => overlaps(a, agreement)) ?? [];
        const identical =
          clashes.length === 1 &&
          clashes[0].effectiveFrom === agreement.effectiveFrom &&
          clashes[0].effectiveTo === agreement.effectiveTo;
        if (clashes.length > 0 && !identical) {
          this.reject(row.line, [
            {
              field: 'agreementEffectiveFrom',
              reason: 'overlaps another agreement of the same producer, household and kind',
            },
          ]);
          continue;
        }
        if (!identical) {
          if (known) {
            known.push(agreement);
          } else {
            this.periods.set(key, [agreement]);
          }
          agreements.push({ archive, ...agreement });
          this.agreementsCreated += 1;
        }
      }
      const seen = this.seen.get(archive)!;
      if (!seen.accepted) {
        seen.accepted = true;
        households.push(row.household);
        if (this.existingIdOfArchive.has(archive)) {
          this.householdsUpdated += 1;
        } else {
          this.householdsCreated += 1;
        }
      }
    }

    // Outside the import's transaction: recorded even when the import writes nothing.
    if (matched.length > 0) {
      await this.logMatches(matched);
    }

    if (!this.writing || (households.length === 0 && agreements.length === 0)) {
      return;
    }
    // Sealed while the batch before is still being written.
    const columns = await this.householdColumns(households);
    // One batch's SQL in flight at a time: it runs while the next batch is parsed and sealed.
    await this.previousWrite;
    if (this.writing) {
      const write = this.write(columns, agreements);
      write.catch(() => undefined); // awaited (and so thrown) by the next batch's turn or by finish
      this.previousWrite = write;
    }
  }

  /** Ends the import: commits what was written, or rolls it back; the report either way. */
  async finish(): Promise<ImportReport> {
    if (this.done) {
      throw new Error('register import already finished');
    }
    await this.queue;
    await this.previousWrite;
    const commit = this.writing;
    this.done = true;
    const trx = this.trx;
    this.trx = undefined;
    if (trx) {
      await (commit ? trx.commit() : trx.rollback());
    }
    const report: ImportReport = {
      rowsRead: this.rowsRead,
      householdsCreated: this.householdsCreated,
      householdsUpdated: this.householdsUpdated,
      agreementsCreated: this.agreementsCreated,
      rejected: this.rejected.sort((a, b) => a.line - b.line),
      committed: commit,
    };
    if (this.rejected.length > 0 && !this.options.partial) {
      report.householdsCreated = 0;
      report.householdsUpdated = 0;
      report.agreementsCreated = 0;
    }
    if (commit) {
      this.logger.log(
        `register import: ${report.rowsRead} rows, ${report.householdsCreated} households created, ${report.householdsUpdated} updated, ${report.agreementsCreated} agreements, ${report.rejected.length} rejections`,
      );
    }
    return report;
  }

  /** Rolls back whatever was written (the stream failed or was cancelled); harmless after finish. */
  async abort(): Promise<void> {
    this.done = true;
    await this.queue.catch(() => undefined);
    await this.previousWrite.catch(() => undefined);
    const trx = this.trx;
    this.trx = undefined;
    if (trx && !trx.isCompleted()) {
      await trx.rollback().catch(() => undefined);
    }
  }

  private parse(rows: ImportRowInput[]): GoodRow[] {
    const parsed: GoodRow[] = [];
    for (const row of rows) {
      this.rowsRead += 1;
      const line = row.line && row.line > 0 ? row.line : this.rowsRead;
      const checked = this.checkRow(row, line);
      if (Array.isArray(checked)) {
        this.reject(line, checked);
      } else {
        parsed.push(checked);
      }
    }
    return parsed;
  }

  /**
   * Reads the households of the given archive numbers or hashes, and the agreements of those of
   * them whose archive numbers are in the file, as committed before the import began: the import's
   * own writes are still uncommitted, so reads on the pool do not see them.
   */
  private async readRegister(archives: string[], hashes: string[]): Promise<RegisterExcerpt> {
    const excerpt: RegisterExcerpt = { households: [], agreements: [] };
    const wanted = new Set(archives);
    const idsOfArchives: string[] = [];
    for (let i = 0; i < Math.max(archives.length, hashes.length); i += LOOKUP_CHUNK) {
      const rows = await this.repository.householdsByArchiveOrHash(
        archives.slice(i, i + LOOKUP_CHUNK),
        hashes.slice(i, i + LOOKUP_CHUNK),
      );
      for (const row of rows) {
        excerpt.households.push(row);
        if (wanted.has(row.archive_number)) {
          idsOfArchives.push(row.id);
        }
      }
    }
    for (let i = 0; i < idsOfArchives.length; i += LOOKUP_CHUNK) {
      excerpt.agreements.push(
        ...(await this.repository.agreementsOfHouseholds(idsOfArchives.slice(i, i + LOOKUP_CHUNK))),
      );
    }
    return excerpt;
  }

  /** Takes in what the register held for one batch (archive numbers are read once per import). */
  private learn({ households, agreements }: RegisterExcerpt): void {
    for (const row of households) {
      this.holderOfHash.set(row.national_id_hash, { archive: row.archive_number, id: row.id });
      if (this.seen.has(row.archive_number)) {
        this.existingIdOfArchive.set(row.archive_number, row.id);
      }
    }
    for (const a of agreements) {
      const key = agreementKey(a.archive, a.producerId, a.kind);
      const known = this.periods.get(key);
      if (known) {
        known.push(a);
      } else {
        this.periods.set(key, [a]);
      }
    }
  }

  /**
   * The households of a batch as column arrays, personal data encrypted (by the sealing workers,
   * while this thread reads the next rows and the batch before is written), split into those the
   * register holds (updated in place, keeping their ids) and those it does not (inserted).
   */
  private async householdColumns(households: GoodRow['household'][]): Promise<BatchColumns> {
    const empty = (): HouseholdColumns => ({
      id: [],
      archiveNumber: [],
      villageId: [],
      headNameEnc: [],
      nationalIdEnc: [],
      nationalIdHash: [],
      payoutAccountEnc: [],
      members: [],
      status: [],
      exitYear: [],
      baselineIncomeFen: [],
    });
    // The id exists before the personal data is encrypted, each envelope being bound to it: the
    // household's own when the archive number is registered (the upsert keeps it), else a new one.
    const ids = households.map((h) => this.existingIdOfArchive.get(h.archiveNumber) ?? randomUUID());
    const sealed = await this.sealPool.sealHouseholds({
      ids,
      headNames: households.map((h) => h.headName),
      nationalIds: households.map((h) => h.nationalId),
      payoutAccounts: households.map((h) => h.payoutAccount || null),
    });
    const registered = empty();
    const unregistered = empty();
    for (let i = 0; i < households.length; i++) {
      const h = households[i];
      const columns = this.existingIdOfArchive.has(h.archiveNumber) ? registered : unregistered;
      columns.id.push(ids[i]);
      columns.archiveNumber.push(h.archiveNumber);
      columns.villageId.push(h.villageId);
      columns.headNameEnc.push(sealed.headNameEnc[i]);
      columns.nationalIdEnc.push(sealed.nationalIdEnc[i]);
      columns.nationalIdHash.push(h.hash);
      columns.payoutAccountEnc.push(sealed.payoutAccountEnc[i]);
      columns.members.push(h.members);
      columns.status.push(h.status);
      columns.exitYear.push(h.exitYear ?? null);
      columns.baselineIncomeFen.push(h.baselineIncome);
    }
    return { registered, unregistered };
  }

  /**
   * Writes one batch in the import's transaction: the households first seen in it (those the
   * register holds by upsert, the others by COPY), then its new agreements (which need the
   * households' ids).
   */
  private async write(
    { registered, unregistered }: BatchColumns,
    agreements: (AgreementFields & { archive: string })[],
  ): Promise<void> {
    this.trx ??= await this.repository.begin();
    const trx = this.trx;
    const now = new Date().toISOString();
    const keyId = this.cipher.activeKeyId;
    try {
      if (registered.id.length > 0) {
        const rows = await this.repository.upsertHouseholds(trx, registered, keyId, now);
        if (rows.length !== registered.id.length) {
          throw new RegisterChangedDuringImport();
        }
      }
      if (unregistered.id.length > 0) {
        await this.repository.copyHouseholds(trx, unregistered, keyId, now);
      }
      for (const columns of [registered, unregistered]) {
        for (let i = 0; i < columns.id.length; i++) {
          const household = this.seen.get(columns.archiveNumber[i])!;
          household.id = columns.id[i];
          household.villageId = columns.villageId[i];
        }
      }
      if (agreements.length > 0) {
        await this.repository.insertAgreements(trx, this.agreementColumns(agreements), now);
      }
    } catch (error) {
      if (isOverlapViolation(error)) {
        throw new OverlappingAgreement();
      }
      // Another import registered one of these archive numbers or national IDs since our look.
      if (isUniqueViolation(error)) {
        throw new RegisterChangedDuringImport();
      }
      throw error;
    }
  }

  /** The agreements of a batch as the column arrays the insert reads, with their households' ids. */
  private agreementColumns(agreements: (AgreementFields & { archive: string })[]): AgreementColumns {
    const columns: AgreementColumns = {
      id: [],
      producerId: [],
      householdId: [],
      villageId: [],
      kind: [],
      weight: [],
      effectiveFrom: [],
      effectiveTo: [],
    };
    for (const a of agreements) {
      const household = this.seen.get(a.archive)!;
      columns.id.push(randomUUID());
      columns.producerId.push(a.producerId);
      columns.householdId.push(household.id!);
      columns.villageId.push(household.villageId!);
      columns.kind.push(a.kind);
      columns.weight.push(a.weight);
      columns.effectiveFrom.push(a.effectiveFrom);
      columns.effectiveTo.push(a.effectiveTo);
    }
    return columns;
  }
}
