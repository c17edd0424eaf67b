import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isOfficer, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import { HouseholdNotFound, PurposeRequired } from '../households/household.errors';
import { HouseholdRepository } from '../households/household.repository';
import { maskAccount } from '../pii/masking.util';
import { PiiCipher } from '../pii/pii-cipher';
import type { HouseholdPayoutAccount } from './payout-account.entity';
import { PayoutAccountRepository } from './payout-account.repository';
import { payoutFileCsv } from './payout-file.util';
import { PayoutAccountMissing, PayoutAccountNotSet } from './payouts.errors';
import {
  getPayoutAccountSchema,
  payoutReadinessSchema,
  renderPayoutFileSchema,
  setPayoutAccountSchema,
  type RenderPayoutFileInput,
  type SetPayoutAccountInput,
} from './payouts.schemas';

/** What a payout account's reader sees; `accountNumber` is `****1234` unless `masked` is false. */
export interface PayoutAccountView {
  householdId: string;
  payeeName: string;
  accountNumber: string;
  bankName: string;
  masked: boolean;
  updatedAt: Date;
}

type Details = Pick<SetPayoutAccountInput, 'payeeName' | 'accountNumber' | 'bankName'>;

/**
 * Households' bank accounts for payouts, and the bank files that pay them. The account is
 * encrypted at rest, bound to its household; it leaves this service unmasked only to the relief
 * office on a read with a stated purpose, and in a payout file, and each such read is written to
 * the PII access log.
 */
@Injectable()
export class PayoutsService {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: PayoutAccountRepository,
    private readonly households: HouseholdRepository,
    private readonly cipher: PiiCipher,
  ) {}

  async set(caller: CallerIdentity | null, input: Loose<SetPayoutAccountInput>): Promise<PayoutAccountView> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(setPayoutAccountSchema, input);
    const em = this.em.fork();
    if (!(await this.accounts.householdExists(em, data.householdId))) {
      throw new HouseholdNotFound(data.householdId);
    }
    const details: Details = {
      payeeName: data.payeeName,
      accountNumber: data.accountNumber,
      bankName: data.bankName,
    };
    await this.accounts.upsert(
      em,
      {
        householdId: data.householdId,
        detailsEnc: this.cipher.encrypt('payout_details', JSON.stringify(details), data.householdId),
        piiKeyId: this.cipher.activeKeyId,
        updatedBy: officer.userId,
      },
      this.cipher.encrypt('payout_account', data.accountNumber, data.householdId),
    );
    return this.view(await this.load(em, data.householdId), true);
  }

  /** Officers in full with a purpose (logged) or masked on asking; auditors masked. */
  async get(
    caller: CallerIdentity | null,
    input: { householdId?: unknown; purpose?: unknown; masked?: unknown },
  ): Promise<PayoutAccountView> {
    const reader = requireRole(caller, 'relief_officer', 'admin', 'auditor');
    const { householdId, purpose, masked } = parseRequest(getPayoutAccountSchema, input);
    const full = isOfficer(reader) && !masked;
    if (full && purpose === '') {
      throw new PurposeRequired();
    }
    const em = this.em.fork();
    const view = this.view(await this.load(em, householdId), !full);
    if (full) {
      await this.households.recordAccess({
        id: randomUUID(),
        userId: reader.userId,
        role: reader.role,
        householdId,
        purpose,
        action: 'GetPayoutAccount',
      });
    }
    return view;
  }

  /** For the ledger building a batch: which households can be paid (ids only). */
  async readiness(input: { householdIds?: unknown }): Promise<string[]> {
    const { householdIds } = parseRequest(payoutReadinessSchema, input);
    return this.accounts.ready(this.em.fork(), householdIds);
  }

  /**
   * The bank file of a payout batch. Every household in it is written to the access log with the
   * purpose `payout batch <id>`, in the one statement, after every account decrypted.
   */
  async renderFile(
    caller: CallerIdentity | null,
    input: Loose<RenderPayoutFileInput>,
  ): Promise<{ csv: Buffer; lines: number }> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(renderPayoutFileSchema, input);
    const em = this.em.fork();
    const ids = [...new Set(data.lines.map((l) => l.householdId))];
    const found = new Map((await this.accounts.findMany(em, ids)).map((a) => [a.householdId, a]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new PayoutAccountMissing(missing);
    }
    const rows = data.lines.map((line) => {
      const d = this.decrypt(found.get(line.householdId)!);
      return { ...d, amountFen: line.amountFen, reference: line.reference };
    });
    const csv = payoutFileCsv(rows);
    await this.households.recordAccesses(
      ids.map((householdId) => ({
        id: randomUUID(),
        userId: officer.userId,
        role: officer.role,
        householdId,
        purpose: `payout batch ${data.batchId}`,
        action: 'RenderPayoutFile',
      })),
    );
    return { csv, lines: rows.length };
  }

  private async load(em: EntityManager, householdId: string): Promise<HouseholdPayoutAccount> {
    const row = await this.accounts.find(em, householdId);
    if (!row) {
      throw new PayoutAccountNotSet(householdId);
    }
    return row;
  }

  private decrypt(row: HouseholdPayoutAccount): Details {
    return JSON.parse(this.cipher.decrypt('payout_details', row.detailsEnc, row.householdId)) as Details;
  }

  private view(row: HouseholdPayoutAccount, masked: boolean): PayoutAccountView {
    const d = this.decrypt(row);
    return {
      householdId: row.householdId,
      payeeName: d.payeeName,
      accountNumber: masked ? maskAccount(d.accountNumber) : d.accountNumber,
      bankName: d.bankName,
      masked,
      updatedAt: row.updatedAt,
    };
  }
}
