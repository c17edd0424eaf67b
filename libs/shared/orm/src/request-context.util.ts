import type { AsyncLocalStorage } from 'node:async_hooks';
import { RequestContext, type EntityManager } from '@mikro-orm/core';

/**
 * The forks of one call, made on first use: a handler answered from a cache never pays for an
 * EntityManager (a unit of work, an identity map, a fork of every setting) it does not touch.
 */
class ForksOnFirstUse extends Map<string, EntityManager> {
  private forking = false;

  constructor(private readonly root: EntityManager) {
    super();
  }

  override get(name: string): EntityManager | undefined {
    let em = super.get(name);
    // A new EntityManager asks the context for one while it is built: none yet, as when
    // RequestContext.create forks before entering the context.
    if (em === undefined && !this.forking && name === this.root.name) {
      this.forking = true;
      try {
        em = this.root.fork({ useContext: true, disableContextResolution: true });
      } finally {
        this.forking = false;
      }
      this.set(name, em);
    }
    return em;
  }
}

// MikroORM 6 keeps the store of its request contexts private; `RequestContext.create` forks at
// once. Where the store is not what this expects (another MikroORM), calls fall back to that.
const storage = (RequestContext as unknown as { storage?: AsyncLocalStorage<RequestContext> }).storage;
const lazy = typeof storage?.run === 'function';

/**
 * Runs `fn` in a fresh MikroORM request context of `root`, as `RequestContext.create` does, but
 * forks `root` only when something in the call first asks the context for its EntityManager.
 * Every call still gets its own fork: nothing is shared between calls.
 */
export function runInRequestContext<T>(root: EntityManager, fn: () => T): T {
  if (!lazy) {
    return RequestContext.create(root, fn) as T;
  }
  return storage!.run(new RequestContext(new ForksOnFirstUse(root)), fn);
}
