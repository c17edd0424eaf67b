import { Injectable, Logger } from '@nestjs/common';
import { BeneficiariesClient } from '../clients/beneficiaries.client';

const REFRESH_AFTER_MS = 5_000;

/**
 * The town of every village, from the register (towns and villages are public): kept in memory,
 * reloaded when a village it does not know turns up (at most every 5 s).
 */
@Injectable()
export class VillageDirectory {
  private readonly logger = new Logger(VillageDirectory.name);
  private towns = new Map<string, string>();
  private loadedAt = 0;

  constructor(private readonly beneficiaries: BeneficiariesClient) {}

  async prepare(villageIds: string[]): Promise<void> {
    if (villageIds.every((v) => this.towns.has(v)) || Date.now() - this.loadedAt < REFRESH_AFTER_MS) {
      return;
    }
    try {
      this.towns = await this.beneficiaries.villageTowns();
      this.loadedAt = Date.now();
    } catch (error) {
      // Reports then group the account under no town until the next refresh finds it.
      this.logger.warn(`could not load villages from beneficiaries: ${(error as Error).message}`);
    }
  }

  townOf(villageId: string): string | null {
    return this.towns.get(villageId) ?? null;
  }
}
