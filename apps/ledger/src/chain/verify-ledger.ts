import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '@yugong/shared/orm';
import { migrations } from '../../migrations';
import { LEDGER_ENTITIES } from '../ledger.entities';
import { ChainRepository } from './chain.repository';
import { ChainService, type VerifyReport } from './chain.service';

/**
 * Recomputes the hash chain of the ledger database at `url` and names the first transaction that
 * no longer matches (`npm run ledger:verify`). Reads only. A composition root of its own (no Nest
 * container), so that it runs beside or without the service.
 */
export async function verifyLedger(url: string, graceMs = 10_000): Promise<VerifyReport> {
  const orm = await MikroORM.init(ormOptions({ url, entities: LEDGER_ENTITIES, migrations, poolMax: 2 }));
  try {
    return await new ChainService(orm.em, new ChainRepository()).verify(graceMs);
  } finally {
    await orm.close(true);
  }
}
