import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { chainHash, GENESIS_HASH } from './chain-hash.util';
import { ChainRepository, type StoredLink, type SummaryMismatch } from './chain.repository';

/** What verification found. */
export interface VerifyReport {
  ok: boolean;
  /** Links checked. */
  checked: number;
  /** The first link that does not match, with why. */
  firstBad?: { seq: number; transactionId: string; idempotencyKey: string; reason: string };
  /** Transactions older than the grace period that no link covers. */
  unsealed: { id: string; idempotencyKey: string }[];
  /**
   * The per-account-month summary the reports read, against the postings of the sealed
   * transactions: its rows, and the first that differ (none when it is exact).
   */
  summary: { rows: number; mismatches: SummaryMismatch[] };
}

/**
 * The hash chain: the sequencer seals committed transactions into it in commit order, and
 * verification recomputes every link from the journal as it stands.
 */
@Injectable()
export class ChainService {
  constructor(
    private readonly em: EntityManager,
    private readonly chain: ChainRepository,
  ) {}

  /**
   * Seals what can be sealed, a batch at a time, and adds the batch to the per-account-month
   * summary the reports read; answers how many transactions it sealed.
   */
  async sealOnce(batch = 500): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      if (!(await this.chain.trySealLock(tx))) {
        return 0;
      }
      const seen = await this.chain.runningHere(tx);
      const head = await this.chain.head(tx);
      const next = await this.chain.sealable(
        tx,
        head && { txid: head.txid, id: head.transactionId },
        seen,
        batch,
      );
      let prev = head?.hash ?? GENESIS_HASH;
      let seq = head?.seq ?? 0;
      const links = next.map((t) => {
        const hash = chainHash(prev, t);
        const link = { seq: ++seq, transactionId: t.id, prevHash: prev, hash };
        prev = hash;
        return link;
      });
      if (links.length > 0) {
        await this.chain.insertLinks(tx, links);
        await this.chain.summarise(
          tx,
          links.map((l) => l.transactionId),
        );
      }
      return links.length;
    });
  }

  async head(): Promise<{ link: StoredLink | undefined; unsealed: number }> {
    const em = this.em.fork();
    return { link: await this.chain.head(em), unsealed: await this.chain.countUnsealed(em) };
  }

  /**
   * Recomputes every link from the transactions and postings as they stand, in order, and names
   * the first that does not match; also lists transactions older than `graceMs` left unsealed.
   */
  async verify(graceMs = 10_000): Promise<VerifyReport> {
    const em = this.em.fork();
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const page = await this.chain.sealedFrom(em, expectedSeq, 1_000);
      for (const { link, tx } of page) {
        const bad = (reason: string): VerifyReport => ({
          ok: false,
          checked,
          firstBad: { seq: link.seq, transactionId: tx.id, idempotencyKey: tx.idempotencyKey, reason },
          unsealed: [],
          summary: { rows: 0, mismatches: [] },
        });
        if (link.seq !== expectedSeq) {
          return bad(`link ${expectedSeq} is missing`);
        }
        if (link.prevHash !== prev) {
          return bad('its previous hash is not the hash of the link before it');
        }
        if (chainHash(prev, tx) !== link.hash) {
          return bad('its transaction or postings no longer match its hash');
        }
        prev = link.hash;
        expectedSeq++;
        checked++;
      }
      if (page.length < 1_000) {
        break;
      }
    }
    const unsealed = await this.chain.unsealedBefore(em, new Date(Date.now() - graceMs));
    const summary = await this.chain.summaryMismatches(em, 10);
    return { ok: unsealed.length === 0 && summary.mismatches.length === 0, checked, unsealed, summary };
  }
}
