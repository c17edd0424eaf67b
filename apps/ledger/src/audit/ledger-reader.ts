import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ormOptions } from '@yugong/shared/orm';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_ENTITIES } from '../ledger.entities';

/**
 * Where traces and reports read: `LEDGER_READ_DATABASE_URL` (a streaming replica), or the primary
 * when it is not set or names the primary. Its EntityManager runs raw reads only, outside the call's
 * request context: no fork of a unit of work per trace (a trace read two before: the call's context
 * and the service's own).
 */
@Injectable()
export class LedgerReader implements OnApplicationShutdown {
  private constructor(
    readonly em: EntityManager,
    /** The replica's own ORM, when reads go to one. */
    private readonly replica: MikroORM | undefined,
    /** Where reads go, without credentials, for logs and tests. */
    readonly target: string,
  ) {}

  /** The reader of `config`, sharing the primary's pool unless a replica is named. */
  static async open(config: LedgerConfig, primary: MikroORM): Promise<LedgerReader> {
    const url = config.LEDGER_READ_DATABASE_URL;
    if (!url || url === config.DATABASE_URL) {
      return new LedgerReader(primary.em.fork({ useContext: false }), undefined, 'primary');
    }
    const replica = await MikroORM.init(
      ormOptions({
        url,
        entities: LEDGER_ENTITIES,
        migrations: [],
        poolMax: config.DB_POOL_MAX,
        poolIdleMs: config.DB_POOL_IDLE_MS,
      }),
    );
    const { host, port, pathname } = new URL(url);
    return new LedgerReader(replica.em.fork({ useContext: false }), replica, `${host}:${port}${pathname}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.replica?.close();
  }
}
