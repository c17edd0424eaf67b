import { licensing } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';
import { GroupCommit } from '@yugong/shared/orm';
import type { LineLicenceTerms } from '../orders/checkout-lines.util';

/** Product ids one GetLicenceTerms call names at most (licensing's `termsSchema`). */
const IDS_PER_CALL = 100;

/**
 * Licensing as orders calls it: as a service, reads only (safe to retry).
 *
 * Concurrent checkouts ask together: the asks that arrive while a call is in flight wait and go
 * in the next one, for all their products at once (up to 32 checkouts a call, one call at a
 * time), as catalog's hold writer batches holds. A checkout asks while catalog holds its stock,
 * which takes longer, so the wait is mostly hidden. This is not a cache: every ask is answered by a call
 * sent after it was made, so a checkout gets the terms in force when it asked or later, as its
 * own call would have, and a licence suspended or revoked before that is not applied. When a
 * call fails, each of its asks is tried again alone (`GroupCommit`), so that each checkout fails
 * or succeeds as it would have by itself.
 */
export class LicensingClient extends ServiceClient<licensing.LicensingServiceClient> {
  private readonly asks = new GroupCommit<string[], Map<string, LineLicenceTerms>>(
    (lists) => this.termsOfEach(lists),
    { maxPerCall: 32, maxCallsInFlight: 1 },
  );

  /** The terms of the licences covering these products now, by product id. */
  termsFor(productIds: string[]): Promise<Map<string, LineLicenceTerms>> {
    return this.asks.write(productIds);
  }

  /** One answer per list of product ids, from one read of all of them. */
  private async termsOfEach(lists: string[][]): Promise<Map<string, LineLicenceTerms>[]> {
    const all = await this.read([...new Set(lists.flat())]);
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

  private async read(unique: string[]): Promise<Map<string, LineLicenceTerms>> {
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
      chunks.push(unique.slice(i, i + IDS_PER_CALL));
    }
    const answers = await Promise.all(
      chunks.map((productIds) => this.call('getLicenceTerms', { productIds }, { idempotent: true })),
    );
    const out = new Map<string, LineLicenceTerms>();
    for (const t of answers.flatMap((res) => res.terms)) {
      out.set(t.productId, {
        licenceId: t.licenceId,
        licenceNumber: t.licenceNumber,
        commitmentBps: t.commitment?.commitmentBps ?? 0,
        minPerUnitFen: t.commitment?.minPerUnit?.fen ?? 0,
      });
    }
    return out;
  }
}

/** The licensing client, or null when this deployment runs no licensing (then no line is licensed). */
export const LICENSING_CLIENT = Symbol('LICENSING_CLIENT');
