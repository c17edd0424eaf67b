import { licensing } from '@yugong/contracts';
import { ServiceClient } from '@yugong/shared/grpc';
import type { LineLicenceTerms } from '../orders/checkout-lines.util';

/** Licensing as orders calls it: as a service, reads only (safe to retry). */
export class LicensingClient extends ServiceClient<licensing.LicensingServiceClient> {
  /** The terms of the licences covering these products now, by product id. */
  async termsFor(productIds: string[]): Promise<Map<string, LineLicenceTerms>> {
    const unique = [...new Set(productIds)];
    const out = new Map<string, LineLicenceTerms>();
    for (let i = 0; i < unique.length; i += 100) {
      const res = await this.call(
        'getLicenceTerms',
        { productIds: unique.slice(i, i + 100) },
        { idempotent: true },
      );
      for (const t of res.terms) {
        out.set(t.productId, {
          licenceId: t.licenceId,
          licenceNumber: t.licenceNumber,
          commitmentBps: t.commitment?.commitmentBps ?? 0,
          minPerUnitFen: t.commitment?.minPerUnit?.fen ?? 0,
        });
      }
    }
    return out;
  }
}

/** The licensing client, or null when this deployment runs no licensing (then no line is licensed). */
export const LICENSING_CLIENT = Symbol('LICENSING_CLIENT');
