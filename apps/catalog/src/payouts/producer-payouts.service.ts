import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { canReadAll, requireCaller, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { ProducerNotFound } from '../producers/producer.errors';
import type { ProducerPayoutAccount } from './producer-payout-account.entity';
import { ProducerPayoutAccountRepository } from './producer-payout-account.repository';
import { maskAccountNumber, producerPayoutRowsCsv } from './producer-payout-rows.util';
import { ProducerPayoutAccountMissing, ProducerPayoutAccountNotSet } from './producer-payouts.errors';
import {
  getProducerPayoutAccountSchema,
  producerPayoutReadinessSchema,
  renderProducerPayoutRowsSchema,
  setProducerPayoutAccountSchema,
  type RenderProducerPayoutRowsInput,
  type SetProducerPayoutAccountInput,
} from './producer-payouts.schemas';

/** What a reader of a producer's payout account sees: the number always masked. */
export interface ProducerPayoutAccountView {
  producerId: string;
  payeeName: string;
  accountNumber: string;
  bankName: string;
  updatedAt: Date;
}

/**
 * Producers' bank accounts for payouts, and the bank file rows that pay their payables. The
 * relief office sets them; officers, auditors and the producer's own staff read them masked; the
 * account number leaves catalog only in the bank file, each generation logged with its purpose
 * (the batch) and the producers in it, never the number or the payee.
 */
@Injectable()
export class ProducerPayoutsService {
  private readonly logger = new Logger(ProducerPayoutsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly accounts: ProducerPayoutAccountRepository,
  ) {}

  async set(
    caller: CallerIdentity | null,
    input: Loose<SetProducerPayoutAccountInput>,
  ): Promise<ProducerPayoutAccountView> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(setProducerPayoutAccountSchema, input);
    const em = this.em.fork();
    if (!(await this.accounts.producerExists(em, data.producerId))) {
      throw new ProducerNotFound(data.producerId);
    }
    await this.accounts.upsert(em, {
      producerId: data.producerId,
      payeeName: data.payeeName,
      accountNumber: data.accountNumber,
      bankName: data.bankName,
      updatedBy: officer.userId,
    });
    return this.view(await this.load(em, data.producerId));
  }

  /** Officers, auditors and the producer's own staff: masked, always. */
  async get(
    caller: CallerIdentity | null,
    input: { producerId?: unknown },
  ): Promise<ProducerPayoutAccountView> {
    const reader = requireCaller(caller);
    const { producerId } = parseRequest(getProducerPayoutAccountSchema, input);
    const ownStaff = reader.role === 'producer_staff' && reader.producerIds.includes(producerId);
    if (!canReadAll(reader) && !ownStaff) {
      throw new PermissionDenied("requires the relief office, an auditor, or the producer's own staff");
    }
    return this.view(await this.load(this.em.fork(), producerId));
  }

  /** For the ledger building a batch: which producers can be paid (ids only). */
  async readiness(input: { producerIds?: unknown }): Promise<string[]> {
    const { producerIds } = parseRequest(producerPayoutReadinessSchema, input);
    return this.accounts.ready(this.em.fork(), producerIds);
  }

  /** The bank file rows of a batch's producer lines, in the order given; the generation logged. */
  async renderRows(
    caller: CallerIdentity | null,
    input: Loose<RenderProducerPayoutRowsInput>,
  ): Promise<{ csv: Buffer; lines: number }> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const data = parseRequest(renderProducerPayoutRowsSchema, input);
    const ids = [...new Set(data.lines.map((l) => l.producerId))];
    const found = new Map((await this.accounts.findMany(this.em.fork(), ids)).map((a) => [a.producerId, a]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProducerPayoutAccountMissing(missing);
    }
    const csv = producerPayoutRowsCsv(
      data.lines.map((line) => {
        const a = found.get(line.producerId)!;
        return {
          payeeName: a.payeeName,
          accountNumber: a.accountNumber,
          bankName: a.bankName,
          amountFen: line.amountFen,
          reference: line.reference,
        };
      }),
    );
    this.logger.log({
      msg: 'producer payout rows generated',
      action: 'RenderProducerPayoutRows',
      purpose: `payout batch ${data.batchId}`,
      userId: officer.userId,
      role: officer.role,
      producerIds: ids,
      lines: data.lines.length,
    });
    return { csv, lines: data.lines.length };
  }

  private async load(em: EntityManager, producerId: string): Promise<ProducerPayoutAccount> {
    const row = await this.accounts.find(em, producerId);
    if (!row) {
      throw new ProducerPayoutAccountNotSet(producerId);
    }
    return row;
  }

  private view(row: ProducerPayoutAccount): ProducerPayoutAccountView {
    return {
      producerId: row.producerId,
      payeeName: row.payeeName,
      accountNumber: maskAccountNumber(row.accountNumber),
      bankName: row.bankName,
      updatedAt: row.updatedAt,
    };
  }
}
