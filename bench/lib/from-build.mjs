// Everything a benchmark takes from the build it runs (`dist` from `prepareBuild`), in one place:
// a baseline must do what the services do, so it borrows their code rather than a copy of it.
// Only exports made for use from outside are loaded here:
// - orders' checkout request hash, a pure function of its own (checkout-request-hash.util);
// - shared/auth's published API (the library's index), for tokens signed as the gateway signs them;
// - the gateway's StripeWebhookVerifier, a self-contained class (options in, no DI);
// - the statements of a checkout and of the ledger's traces and reports, from the repositories
//   that hold them (the only place SQL lives), recorded by a stand-in EntityManager instead of run.
// When one of these moves in the sources, this file is the one to change.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const load = (dist, file) => require(path.join(dist, file));

/** orders' fingerprint of a checkout's terms, stored with the order as `request_hash`. */
export const checkoutRequestHash = (dist) =>
  load(dist, 'apps/orders/src/orders/checkout-request-hash.util.js').checkoutRequestHash;

/** shared/auth's TokenService: `new TokenService({ secret, ttlSeconds, issuer }).issue(caller)`. */
export const TokenService = (dist) => load(dist, 'libs/shared/auth/src/index.js').TokenService;

/** The gateway's Stripe webhook check and mapping: `new StripeWebhookVerifier({ secret }).verify(body, header)`. */
export const StripeWebhookVerifier = (dist) =>
  load(dist, 'apps/gateway/src/payments/stripe-webhook.js').StripeWebhookVerifier;

/** What a repository method would send: recorded by a stand-in EntityManager, not run. */
class Recorded {
  constructor(sql, params, name) {
    this.sql = sql;
    this.params = params;
    this.name = name;
  }
}
const recorder = {
  execute: async (sql, params = []) => {
    throw new Recorded(sql, params);
  },
  // shared/orm's preparedQuery: a named statement on a connection of the ORM's pool.
  getTransactionContext: () => undefined,
  getConnection: () => ({
    getKnex: () => ({
      client: {
        acquireConnection: async () => ({
          query: async ({ name, text, values }) => {
            throw new Recorded(text, values, name);
          },
        }),
        releaseConnection: async () => undefined,
      },
    }),
  }),
};
/** A recorded statement as pg takes it: named ones keep their $n and are prepared once per connection. */
const asQuery = (recorded) =>
  recorded.name
    ? { name: recorded.name, text: recorded.sql, values: recorded.params }
    : { text: dollars(recorded.sql), values: recorded.params };
const dollarCache = new Map();
/** knex's positional ? → pg's $1…$n (the texts have no ?? identifiers nor escaped \?). */
function dollars(sql) {
  let text = dollarCache.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    dollarCache.set(sql, text);
  }
  return text;
}

/**
 * The statements a checkout runs, as orders' OrderRepository and BuyerAllowanceRepository and
 * catalog's StockRepository send them: `statement((repos) => repos.orders.findById(em, id))` resolves to `{ text, values }` for
 * pg, `em` being the stand-in the callback is given.
 */
export function checkoutStatements(dist) {
  const { OrderRepository } = load(dist, 'apps/orders/src/orders/order.repository.js');
  const { StockRepository } = load(dist, 'apps/catalog/src/stock/stock.repository.js');
  const { BuyerAllowanceRepository } = load(dist, 'apps/orders/src/buyers/buyer-allowance.repository.js');
  const repos = {
    orders: new OrderRepository(),
    allowances: new BuyerAllowanceRepository(),
    stock: new StockRepository(),
  };
  return async function statement(call) {
    try {
      await call(repos, recorder);
    } catch (error) {
      if (error instanceof Recorded) {
        return asQuery(error);
      }
      throw error;
    }
    throw new Error('the repository method sent no statement');
  };
}

/** The demo register's ids, as the services seed them: `demoId(kind, key)`, `demoSupplierHouseholds(producerKey)`. */
export const demoIds = (dist) => {
  const demo = load(dist, 'libs/shared/demo/src/index.js');
  return { demoId: demo.demoId, demoSupplierHouseholds: demo.demoSupplierHouseholds };
};

/**
 * The statements of the ledger's traces and reports, as its AuditRepository sends them:
 * `statement((audit, em) => audit.reliefIncome(em, 'village', {}))` resolves to `{ text, values }`.
 */
export function auditStatements(dist) {
  const { AuditRepository } = load(dist, 'apps/ledger/src/audit/audit.repository.js');
  const audit = new AuditRepository();
  return async function statement(call) {
    try {
      await call(audit, recorder);
    } catch (error) {
      if (error instanceof Recorded) {
        return asQuery(error);
      }
      throw error;
    }
    throw new Error('the repository method sent no statement');
  };
}
