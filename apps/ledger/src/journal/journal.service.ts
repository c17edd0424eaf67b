import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AccountRef } from '../split/accounts.util';
import type { TransactionDraft } from '../split/sale-split.util';
import { VillageDirectory } from '../events/village-directory.service';
import { JournalRepository, postingRowsOf, type PostingRow } from './journal.repository';

/** Writes planned transactions: creates their accounts once, then their rows. */
@Injectable()
export class JournalService {
  /** Accounts are never deleted, so an id once known stays right. */
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalRepository,
    private readonly villages: VillageDirectory,
  ) {}

  /**
   * Makes sure every account exists, committed on its own connection, so that a transaction
   * rolled back later never leaves an id behind that names no row.
   */
  async prepareAccounts(refs: AccountRef[]): Promise<void> {
    for (const ref of refs) {
      if (ref.id !== undefined) {
        this.ids.set(ref.code, ref.id);
      }
    }
    const missing = refs.filter((r) => !this.ids.has(r.code));
    if (missing.length === 0) {
      return;
    }
    await this.villages.prepare(missing.map((r) => r.villageId).filter((v): v is string => !!v));
    const found = await this.journal.ensureAccounts(this.em.fork(), missing, (v) => this.villages.townOf(v));
    for (const [code, id] of found) {
      this.ids.set(code, id);
    }
  }

  /** Writes the draft in `tx`; undefined when its idempotency key was posted before. */
  async post(tx: EntityManager, draft: TransactionDraft): Promise<string | undefined> {
    if (draft.postings.length === 0) {
      return undefined;
    }
    await this.prepareAccounts(draft.postings.map((p) => p.account));
    return this.journal.insertTransaction(tx, draft, this.ids);
  }

  /**
   * The drafts' postings as rows to write, their accounts created first: for writers that put a
   * transaction in with other statements (see `EventWriter`). Drafts without postings are left out.
   */
  async rowsOf(drafts: TransactionDraft[]): Promise<{ draft: TransactionDraft; postings: PostingRow[] }[]> {
    const posted = drafts.filter((d) => d.postings.length > 0);
    await this.prepareAccounts(posted.flatMap((d) => d.postings.map((p) => p.account)));
    return posted.map((draft) => ({ draft, postings: postingRowsOf(draft, this.ids) }));
  }
}
