import createClient, { type Middleware } from 'openapi-fetch';
import type { ApiErrorBody } from './views';
import type { paths } from './schema';
import { BrowserTracer } from './trace.util';

/** A refused request: the gateway's code, message and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message || body.error);
  }

  /** The reason the gateway gave for `field` (or a nested field under it), if it named it. */
  reasonFor(field: string): string | undefined {
    return this.body.fields?.find((f) => f.field === field || f.field.startsWith(`${field}.`))?.reason;
  }
}

const CART_TOKEN = 'yugong.cartToken';

/** Credentials the client adds to each request; the session module keeps them current. */
export const credentials = {
  accessToken: undefined as string | undefined,
  /** When the access token expires (ms since the epoch). */
  expiresAt: 0,
  /** Resolves to a fresh access token (or undefined: signed out); called shortly before expiry. */
  refresh: undefined as (() => Promise<string | undefined>) | undefined,
};

export const cartToken = {
  get: () => localStorage.getItem(CART_TOKEN) ?? undefined,
  set: (value: string) => localStorage.setItem(CART_TOKEN, value),
  clear: () => localStorage.removeItem(CART_TOKEN),
};

/** The access token, refreshed first when it is about to expire (for calls made without the client). */
export async function freshAccessToken(): Promise<string | undefined> {
  if (credentials.accessToken && credentials.refresh && Date.now() > credentials.expiresAt - 30_000) {
    await credentials.refresh();
  }
  return credentials.accessToken;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const refreshing = request.url.endsWith('/auth/refresh');
    if (!refreshing) {
      await freshAccessToken();
    }
    if (credentials.accessToken && !refreshing) {
      request.headers.set('authorization', `Bearer ${credentials.accessToken}`);
    }
    const cart = cartToken.get();
    // A signed-in buyer's cart is their own; the anonymous one was merged at sign-in.
    if (cart && !credentials.accessToken && !request.headers.has('cart-token')) {
      request.headers.set('cart-token', cart);
    }
    return request;
  },
  onResponse({ response }) {
    const issued = response.headers.get('cart-token');
    if (issued) {
      cartToken.set(issued);
    }
    return response;
  },
};

/**
 * A trace per API request (its `traceparent` continued by the gateway); the browser's own spans
 * are sent only when the build was given a collector (`VITE_OTEL_TRACES_URL`).
 */
export const tracer = new BrowserTracer({
  url: import.meta.env.VITE_OTEL_TRACES_URL || undefined,
  samplePercent: Number(import.meta.env.VITE_OTEL_TRACES_SAMPLE_PERCENT || 100),
});
window.addEventListener('pagehide', () => void tracer.flush());

/** The typed client of the gateway's REST API (paths generated from its OpenAPI document). */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(tracer.middleware(), auth);

/**
 * The body of a successful answer, typed by the caller; throws an {@link ApiError} for any
 * other. `call` is an openapi-fetch request.
 */
export async function ok<T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error ?? {}) as Partial<ApiErrorBody>;
    throw new ApiError(response.status, {
      error: body.error ?? `HTTP_${response.status}`,
      message: body.message ?? response.statusText,
      fields: body.fields,
    });
  }
  return data as T;
}
