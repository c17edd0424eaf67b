import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

const CHUNK = 1_000;

/** The rows of one table to seed, in the table's column names. */
export interface SeedRows {
  table: 'town' | 'village' | 'household' | 'benefit_agreement';
  rows: Record<string, unknown>[];
}

/** The statements of the demo seed: multi-row inserts that leave existing rows alone. */
@Injectable()
export class DemoSeedRepository {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return this.em.getKnex();
  }

  /** Whether the household and the agreement (the last ones the seed writes) are present. */
  async holds(householdId: string, agreementId: string): Promise<boolean> {
    return Boolean(
      (await this.knex('household').select('id').where('id', householdId).first()) &&
      (await this.knex('benefit_agreement').select('id').where('id', agreementId).first()),
    );
  }

  /** Inserts every table's rows in order, in one transaction, skipping ids already present; the rows new. */
  async insertMissing(tables: SeedRows[]): Promise<number> {
    let created = 0;
    await this.knex.transaction(async (trx) => {
      for (const { table, rows } of tables) {
        for (let i = 0; i < rows.length; i += CHUNK) {
          const result = (await trx(table)
            .insert(rows.slice(i, i + CHUNK))
            .onConflict()
            .ignore()
            .returning('id')) as unknown[];
          created += result.length;
        }
      }
    });
    return created;
  }
}
