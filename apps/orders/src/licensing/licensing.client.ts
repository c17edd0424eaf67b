import { licensing } from '@yugong/contracts';
import { lru, type ChangeVersion } from '@yugong/shared/cache';
import { ServiceClient, type GrpcStub, type ServiceClientSettings } from '@yugong/shared/grpc';
import { GroupCommit } from '@yugong/shared/orm';
import type { LineLicenceTerms } from '../orders/checkout-lines.util';

/** Product ids one GetLicenceTerms call names at most (licensing's `termsSchema`). */
const IDS_PER_CALL = 100;

/** How orders may keep licensing's answers: by the shared terms version, for at most `maxAgeMs`. */
export interface KeptTermsSettings {
  version: ChangeVersion;
  maxAgeMs: number;
}

/** Products whose terms are kept at most (each a few hundred bytes); past it the oldest go. */
const KEPT_PRODUCTS = 10_000;

/**
 * Licensing as orders calls it: as a service, reads only (safe to retry).
 *
 * Concurrent checkouts ask together: the asks that arrive while a batch is being answered wait
 * and go in the next one, for all their products at once (up to 32 checkouts a batch, one batch
 * at a time), as catalog's hold writer batches holds. A checkout asks while catalog holds its
 * stock, which takes longer, so the wait is mostly hidden.
 *
 * Each batch is answered by a look made after its asks were: a call to licensing, or, when
 * licensing said its answer holds for a while (`stands_for_ms`, given only by a licensing that
 * moves the shared terms version right after every move of a licence commits), what that call
 * returned, provided the version read now is the one read before that call, and neither that
 * while (counted from before the call, so that no clock but the database's decides when a licence
 * starts or ends) nor `maxAgeMs` has passed. So a checkout carries the terms in force when it
 * asked, or those of a move whose announcement had not yet landed (milliseconds after its commit,
 * as a call made a moment sooner would have); a licence suspended or revoked and announced before
 * a checkout asked is not applied to it. A move that was never announced (Redis losing or failing
 * the bump, a licensing replica without Redis, licensing killed between commit and bump) outlives
 * its terms by at most `maxAgeMs`. When the version cannot be read, every batch calls. When a call
 * fails, each of its asks is tried again alone (`GroupCommit`), so that each checkout fails or
 * succeeds as it would have by itself; kept terms answer even while licensing is down.
 */
export class LicensingClient extends ServiceClient<licensing.LicensingServiceClient> {
  private readonly asks = new GroupCommit<string[], Map<string, LineLicenceTerms>>(
    (lists) => this.termsOfEach(lists),
    { maxPerCall: 32, maxCallsInFlight: 1 },
  );
  /** What licensing last said of each product (null: no licence covers it), under `keptVersion`. */
  private readonly kept = lru<string, { terms: LineLicenceTerms | null; until: number }>(KEPT_PRODUCTS);
  private keptVersion: number | undefined;

  constructor(
    stub: GrpcStub<licensing.LicensingServiceClient>,
    settings: ServiceClientSettings,
    private readonly keeping?: KeptTermsSettings,
  ) {
    super(stub, settings);
  }

  /** The terms of the licences covering these products now, by product id. */
  termsFor(productIds: string[]): Promise<Map<string, LineLicenceTerms>> {
    return this.asks.write(productIds);
  }

  /** One answer per list of product ids, from one look at all of them. */
  private async termsOfEach(lists: string[][]): Promise<Map<string, LineLicenceTerms>[]> {
    const all = await this.termsNow([...new Set(lists.flat())]);
    return lists.map((ids) => {
      const out = new Map<string, LineLicenceTerms>();
      for (const id of ids) {
        const terms = all.get(id);
        if (terms) {
          out.set(id, terms);
        }
      }
      return out;
    });
  }

  /** The terms now: kept, if all of them stand; else read from licensing (and kept if it may be). */
  private async termsNow(unique: string[]): Promise<Map<string, LineLicenceTerms>> {
    // Taken first: what licensing says holds for so long from its clock's reading, made later.
    const asked = Date.now();
    const version = await this.keeping?.version.read().catch(() => undefined);
    if (version !== undefined && version === this.keptVersion) {
      const found = this.keptTermsOf(unique, asked);
      if (found) {
        return found;
      }
    }
    const { terms, standsForMs } = await this.read(unique);
    if (this.keeping && version !== undefined && standsForMs > 0) {
      if (version !== this.keptVersion) {
        this.kept.clear();
        this.keptVersion = version;
      }
      const until = asked + Math.min(standsForMs, this.keeping.maxAgeMs);
      for (const id of unique) {
        this.kept.set(id, { terms: terms.get(id) ?? null, until });
      }
    }
    return terms;
  }

  /** The kept terms of every one of these products, or undefined when any is not kept or is out of time. */
  private keptTermsOf(unique: string[], now: number): Map<string, LineLicenceTerms> | undefined {
    const out = new Map<string, LineLicenceTerms>();
    for (const id of unique) {
      const entry = this.kept.get(id);
      if (!entry || entry.until <= now) {
        return undefined;
      }
      if (entry.terms) {
        out.set(id, entry.terms);
      }
    }
    return out;
  }

  private async read(
    unique: string[],
  ): Promise<{ terms: Map<string, LineLicenceTerms>; standsForMs: number }> {
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
      chunks.push(unique.slice(i, i + IDS_PER_CALL));
    }
    const answers = await Promise.all(
      chunks.map((productIds) => this.call('getLicenceTerms', { productIds }, { idempotent: true })),
    );
    const terms = new Map<string, LineLicenceTerms>();
    for (const t of answers.flatMap((res) => res.terms)) {
      terms.set(t.productId, {
        licenceId: t.licenceId,
        licenceNumber: t.licenceNumber,
        commitmentBps: t.commitment?.commitmentBps ?? 0,
        minPerUnitFen: t.commitment?.minPerUnit?.fen ?? 0,
      });
    }
    // The whole answer holds as long as its shortest-lived chunk (0, not to be kept, if any says so).
    const standsForMs = answers.length > 0 ? Math.min(...answers.map((res) => res.standsForMs || 0)) : 0;
    return { terms, standsForMs };
  }
}

/** The licensing client, or null when this deployment runs no licensing (then no line is licensed). */
export const LICENSING_CLIENT = Symbol('LICENSING_CLIENT');
