import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { runInRequestContext } from './request-context.util';

describe(runInRequestContext.name, () => {
  // A real ORM, never connected: forks and contexts need no database.
  const orm = MikroORM.initSync({
    clientUrl: 'postgres://nobody@127.0.0.1:1/none',
    entities: [],
    discovery: { warnWhenNoEntities: false },
    connect: false,
    allowGlobalContext: false,
  });
  const root = orm.em;

  it('gives each call its own fork, the same one throughout the call, across awaits', async () => {
    const seen = await Promise.all(
      [1, 2, 3].map((n) =>
        runInRequestContext(root, async () => {
          const first = RequestContext.getEntityManager();
          await new Promise((resolve) => setTimeout(resolve, 5 * n));
          return [first, RequestContext.getEntityManager(), root.getContext()];
        }),
      ),
    );
    for (const [first, later, resolved] of seen) {
      expect(first).toBeDefined();
      expect(first).not.toBe(root);
      expect(later).toBe(first);
      expect(resolved).toBe(first);
    }
    expect(new Set(seen.map(([first]) => first)).size).toBe(3);
  });

  it('forks only when the call asks for its EntityManager', async () => {
    const untouched = await runInRequestContext(root, async () => RequestContext.currentRequestContext());
    expect(untouched?.map.size).toBe(0);
    const touched = await runInRequestContext(root, async () => {
      root.getContext();
      return RequestContext.currentRequestContext();
    });
    expect(touched?.map.size).toBe(1);
  });

  it('leaves nothing behind outside a call, and knows no other context name', () => {
    expect(RequestContext.getEntityManager()).toBeUndefined();
    runInRequestContext(root, () => expect(RequestContext.getEntityManager('other')).toBeUndefined());
  });
});
