// The load generator's engine: virtual buyers who browse, fill carts, check out by bank transfer and
// look at where their money went, against a running gateway, while a relief officer confirms the
// transfers (so the ledger posts the sales the traces show). Used by `npm run loadgen` and by the
// fault suite, which runs it while it breaks things.
//
// Steps, drawn by weight (browse 10 : cart 3 : checkout 1 : trace 1 by default):
//   browse    GET /api/v1/products (a page, sometimes a search), then GET /api/v1/products/:id
//   cart      POST /api/v1/cart/items (one unit of a product on sale)
//   checkout  POST /api/v1/checkout (manual payment; a cart item first if the cart is empty), then
//             the officer's POST /api/v1/orders/:id/payments/manual for the order's total
//   trace     GET /api/v1/orders/:id/trace of one of the buyer's paid orders (or the product list
//             while it has none)
// Each step is timed whole. An answer is an error when it is a 5xx or a transport failure; a 409
// (out of stock, a buyer's limit) or 429 is counted apart as refused; any other 4xx is an error
// too, since the generator only sends what a correct client sends.
import crypto from 'node:crypto';

export const DEFAULT_MIX = { browse: 10, cart: 3, checkout: 1, trace: 1 };

/** p-th percentile (0..100) of `sorted` ascending, nearest rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) {
    return NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

class Stats {
  constructor(steps) {
    this.started = Date.now();
    this.steps = Object.fromEntries(
      steps.map((s) => [s, { count: 0, ok: 0, refused: 0, errors: 0, latencies: [] }]),
    );
    this.errorSamples = new Map();
    this.refusalSamples = new Map();
    /** Failed answers by HTTP status (`transport` when none came). */
    this.failures = new Map();
    /** Every order a checkout made, and those the officer then confirmed paid. */
    this.orders = { created: [], paid: [] };
    /** Answers a write was repeated after (same Idempotency-Key or reference), by status. */
    this.retried = new Map();
    /** The slowest answer (or abort) of each route, ms: `METHOD /path/:id`. */
    this.slowest = new Map();
  }

  /** One HTTP exchange of `route` took `ms`. */
  timed(route, ms) {
    if (ms > (this.slowest.get(route) ?? 0)) {
      this.slowest.set(route, ms);
    }
  }

  record(step, ms, outcome, detail, status) {
    if (outcome === 'errors') {
      const key = status ?? 'transport';
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    }
    const s = this.steps[step];
    s.count += 1;
    s.latencies.push(ms);
    s[outcome] += 1;
    const samples = outcome === 'errors' ? this.errorSamples : this.refusalSamples;
    if (outcome !== 'ok' && detail) {
      samples.set(detail, (samples.get(detail) ?? 0) + 1);
    }
  }

  get total() {
    return Object.values(this.steps).reduce((n, s) => n + s.count, 0);
  }

  get errors() {
    return Object.values(this.steps).reduce((n, s) => n + s.errors, 0);
  }

  summary() {
    const seconds = (Date.now() - this.started) / 1000;
    const rows = Object.entries(this.steps).map(([step, s]) => {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      return {
        step,
        requests: s.count,
        perSecond: s.count / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        ok: s.ok,
        refused: s.refused,
        errors: s.errors,
      };
    });
    return {
      seconds,
      rows,
      total: this.total,
      errors: this.errors,
      errorSamples: [...this.errorSamples],
      refusalSamples: [...this.refusalSamples],
      failures: Object.fromEntries(this.failures),
      retried: Object.fromEntries(this.retried),
      slowest: Object.fromEntries([...this.slowest].map(([route, ms]) => [route, Math.round(ms)])),
      orders: this.orders,
    };
  }
}

class HttpFailure extends Error {
  constructor(step, status, body) {
    super(`${step}: HTTP ${status} ${body.slice(0, 160)}`);
    this.status = status;
    this.detail = `${step} ${status} ${body.slice(0, 80)}`;
  }
}

/** A path as a route: ids as `:id`, no query. */
const routeOf = (method, path) =>
  `${method} ${path.split('?')[0].replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')}`;

function client(baseUrl, timeoutMs, onTimed = () => {}) {
  return async (method, path, { token, body, headers = {} } = {}) => {
    const t0 = performance.now();
    let res;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } finally {
      onTimed(routeOf(method, path), performance.now() - t0);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
  };
}

/** Sign-up and sign-in are rate limited on their own: wait as told, a bounded number of times. */
async function authCall(call, path, body, { attempts = 8 } = {}) {
  for (let i = 1; ; i += 1) {
    const res = await call('POST', path, { body });
    if (res.status !== 429 || i >= attempts) {
      return res;
    }
    await new Promise((r) => setTimeout(r, Math.min(Math.max(res.retryAfter, 1), 30) * 1000));
  }
}

async function signIn(call, email, password) {
  const res = await authCall(call, '/api/v1/auth/login', { email, password });
  if (res.status !== 200) {
    throw new Error(`sign-in of ${email}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  }
  return res.json.accessToken;
}

/**
 * Runs the load until `seconds` have passed or `maxRequests` steps were made, whichever first.
 * `retries`: how often a checkout or a payment is repeated with its key after a 503, 504 or no
 * answer (0: never). `onTick(stats)` is called about every 250 ms (a progress line), `onStarted()` once the buyers are
 * signed up and the steps begin. Returns the summary.
 */
export async function runLoad({
  baseUrl,
  seconds = 30,
  maxRequests = 100_000,
  concurrency = 16,
  mix = DEFAULT_MIX,
  officer = { email: 'officer@example.com', password: 'yugong-demo-2020' },
  timeoutMs = 10_000,
  retries = 0,
  onTick = () => {},
  onStarted = () => {},
  log = () => {},
}) {
  let stats;
  const call = client(baseUrl, timeoutMs, (route, ms) => stats?.timed(route, ms));
  const run = crypto.randomBytes(4).toString('hex');
  const officerToken = await signIn(call, officer.email, officer.password);

  const list = await call('GET', '/api/v1/products?pageSize=100');
  const products = (list.json?.items ?? []).filter((p) => p.status === 'active' || p.status === undefined);
  if (products.length === 0) {
    throw new Error(`no product on sale at ${baseUrl} (GET /api/v1/products: HTTP ${list.status})`);
  }

  // One buyer per worker: a buyer's checkouts are serialised by orders, as a person's are.
  log(`signing up ${concurrency} buyers`);
  const buyers = [];
  for (let i = 0; i < concurrency; i += 1) {
    const email = `loadgen-${run}-${i}@example.com`;
    const password = `loadgen-${run}-password`;
    const made = await authCall(call, '/api/v1/auth/register', { email, password, name: `压测用户${i}` });
    if (made.status !== 202) {
      throw new Error(`sign-up of ${email}: HTTP ${made.status} ${made.text.slice(0, 200)}`);
    }
    buyers.push({ email, token: await signIn(call, email, password), cart: 0, paid: [] });
  }

  const steps = Object.keys(mix);
  const weights = steps.map((s) => mix[s]);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const draw = () => {
    let r = Math.random() * totalWeight;
    for (let i = 0; i < steps.length; i += 1) {
      r -= weights[i];
      if (r < 0) return steps[i];
    }
    return steps[steps.length - 1];
  };
  const anyProduct = () => products[Math.floor(Math.random() * products.length)];
  const expect = (step, res, ...ok) => {
    if (!ok.includes(res.status)) {
      throw new HttpFailure(step, res.status, res.text);
    }
    return res;
  };

  stats = new Stats(steps);
  /**
   * A write that carries its own key (checkout's Idempotency-Key, a payment's reference) repeated
   * as a correct client repeats it: after a 503, a 504 or no answer at all, at most `retries`
   * more times, after 200 ms, 400 ms, …. Every answer that was repeated is counted by status.
   */
  const withRetries = async (send) => {
    for (let attempt = 0; ; attempt += 1) {
      let res;
      let failure;
      try {
        res = await send();
      } catch (error) {
        failure = error;
      }
      const retryable = failure !== undefined || res.status === 503 || res.status === 504;
      if (!retryable || attempt >= retries) {
        if (failure) {
          throw failure;
        }
        return res;
      }
      const key = failure ? 'transport' : res.status;
      stats.retried.set(key, (stats.retried.get(key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  };
  /** A refusal a correct client can meet (out of stock, a limit, not posted yet), by step and code. */
  const refusal = (step, res) => `${step} ${res.status} ${res.json?.error ?? ''}`.trim();

  const actions = {
    async browse() {
      const q = Math.random() < 0.3 ? '&q=%E5%85%94' : '';
      const page = expect('browse', await call('GET', `/api/v1/products?pageSize=20${q}`), 200);
      const item = page.json.items[0] ?? anyProduct();
      expect('browse', await call('GET', `/api/v1/products/${item.id}`), 200);
    },
    async cart(buyer) {
      const res = await call('POST', '/api/v1/cart/items', {
        token: buyer.token,
        body: { productId: anyProduct().id, quantity: 1 },
      });
      expect('cart', res, 201, 409);
      if (res.status === 201) buyer.cart += 1;
      return res.status === 409 ? refusal('cart', res) : undefined;
    },
    async checkout(buyer) {
      const emptyCart = buyer.cart === 0 ? await actions.cart(buyer) : undefined;
      if (emptyCart) {
        return emptyCart;
      }
      const key = crypto.randomUUID();
      const res = await withRetries(() =>
        call('POST', '/api/v1/checkout', {
          token: buyer.token,
          body: { paymentMethod: 'manual' },
          headers: { 'Idempotency-Key': key },
        }),
      );
      expect('checkout', res, 201, 409, 422);
      if (res.status !== 201) return refusal('checkout', res);
      buyer.cart = 0;
      const { order } = res.json;
      stats.orders.created.push(order.id);
      const paid = await withRetries(() =>
        call('POST', `/api/v1/orders/${order.id}/payments/manual`, {
          token: officerToken,
          body: { amountFen: order.total.fen, reference: `LOADGEN-${run}-${order.id.slice(0, 8)}` },
        }),
      );
      expect('checkout', paid, 200, 201);
      buyer.paid.push(order.id);
      stats.orders.paid.push(order.id);
      return undefined;
    },
    async trace(buyer) {
      if (buyer.paid.length === 0) {
        expect('trace', await call('GET', '/api/v1/products?pageSize=20'), 200);
        return undefined;
      }
      const id = buyer.paid[Math.floor(Math.random() * buyer.paid.length)];
      // 404 until the ledger has posted the sale (its events are delivered asynchronously).
      const res = expect(
        'trace',
        await call('GET', `/api/v1/orders/${id}/trace`, { token: buyer.token }),
        200,
        404,
      );
      return res.status === 404 ? refusal('trace', res) : undefined;
    },
  };

  const until = Date.now() + seconds * 1000;
  let started = 0;
  const tick = setInterval(() => onTick(stats), 250);
  onStarted();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        const buyer = buyers[worker];
        while (Date.now() < until && started < maxRequests) {
          started += 1;
          const step = draw();
          const t0 = performance.now();
          try {
            const refused = await actions[step](buyer);
            stats.record(step, performance.now() - t0, refused ? 'refused' : 'ok', refused);
          } catch (error) {
            const refused = error instanceof HttpFailure && error.status === 429;
            // A 429 is the platform's throttle doing its job: refused, not an error.
            const detail =
              error instanceof HttpFailure ? error.detail : `${step} ${error.name}: ${error.message}`;
            const status = error instanceof HttpFailure ? error.status : undefined;
            stats.record(step, performance.now() - t0, refused ? 'refused' : 'errors', detail, status);
          }
        }
      }),
    );
  } finally {
    clearInterval(tick);
  }
  onTick(stats);
  return stats.summary();
}
