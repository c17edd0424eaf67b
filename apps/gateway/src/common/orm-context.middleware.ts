import { MikroORM } from '@mikro-orm/core';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { runInRequestContext } from '@yugong/shared/orm';

/**
 * Every request in a MikroORM request context of its own, as `@mikro-orm/nestjs`'s middleware
 * does, but its EntityManager forked only when the request first uses it: a request that reads
 * nothing from the gateway's database (most of them: the session check is cached, the rest is
 * gRPC) pays for no fork.
 */
@Injectable()
export class OrmContextMiddleware implements NestMiddleware {
  constructor(private readonly orm: MikroORM) {}

  use(_req: unknown, _res: unknown, next: () => void): void {
    runInRequestContext(this.orm.em, next);
  }
}
