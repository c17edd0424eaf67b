import { Injectable, Logger } from '@nestjs/common';
import { lru } from '@yugong/shared/cache';
import { LedgerClient } from '../ledger/ledger.client';

/** What a lot's sales brought its households and villages so far; no household named. */
export interface LotImpact {
  /** Fen credited to households from this lot's sales. */
  householdFen: number;
  /** Fen credited to the village collectives. */
  villageCollectiveFen: number;
  /** Households reached. */
  households: number;
  /** Villages reached. */
  villages: number;
}

/** How long a lot's impact is served from this process before the ledger is asked again. */
export const LOT_IMPACT_TTL_MS = 30_000;

/**
 * A lot's impact for the label verify page, from the ledger's public lot trace, kept briefly in
 * this process (a label is scanned far more often than its lot sells). The ledger not answering
 * leaves the impact out rather than failing the verification.
 */
@Injectable()
export class LotImpactService {
  private readonly logger = new Logger(LotImpactService.name);
  private readonly cache = lru<string, Promise<LotImpact | null>>(10_000, { ttl: LOT_IMPACT_TTL_MS });

  constructor(private readonly ledger: LedgerClient) {}

  of(lotId: string, requestId: string): Promise<LotImpact | null> {
    let impact = this.cache.get(lotId);
    if (!impact) {
      impact = this.load(lotId, requestId);
      this.cache.set(lotId, impact);
    }
    return impact;
  }

  private async load(lotId: string, requestId: string): Promise<LotImpact | null> {
    try {
      // Asked as nobody: the public view, so what is cached is what anyone may see.
      const trace = await this.ledger.call(
        'traceLot',
        { lotId },
        { caller: null, requestId, idempotent: true },
      );
      const villages = new Set<string>();
      let collectiveFen = 0;
      for (const line of trace.lines) {
        for (const v of line.villages) {
          villages.add(v.villageId);
          collectiveFen += v.collectiveAmount?.fen ?? 0;
        }
      }
      return {
        householdFen: trace.householdAmount?.fen ?? 0,
        villageCollectiveFen: collectiveFen,
        households: trace.households,
        villages: villages.size,
      };
    } catch (error) {
      this.cache.delete(lotId);
      this.logger.warn({ lotId, err: (error as Error).message }, 'lot impact unavailable');
      return null;
    }
  }
}
