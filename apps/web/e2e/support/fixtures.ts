import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/** The demo accounts' password on the platform of this run (set by global-setup). */
export function demoPassword(): string {
  return process.env.WEB_DEMO_PASSWORD ?? '';
}

/** Where the platform of this run answers (set by global-setup). */
export function baseUrl(): string {
  const url = process.env.WEB_BASE_URL;
  if (!url) {
    throw new Error('WEB_BASE_URL is not set: run through apps/web/e2e/playwright.config.ts');
  }
  return url;
}

/** Signs in through the sign-in page; resolves once the app has moved on from it. */
export async function signIn(page: Page, email: string, next?: string): Promise<void> {
  await page.goto(`${baseUrl()}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(demoPassword());
  await page
    .getByRole('button', { name: /登\s*录/ })
    .last()
    .click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

/**
 * Fails on any serious or critical WCAG 2 A/AA violation axe-core finds on the page as it is, once
 * it has come to rest: every animation and transition that ends has ended (a text fading in is of
 * too little contrast meanwhile: a form's help texts, an upload's file name), a form's help texts
 * have left, and a select's dropdown has closed (its unnamed listbox stays in view while it fades
 * out). Animations that never end (spinners) are left running.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
  );
  await expect(page.locator('.ant-form-show-help-item-leave, .ant-form-show-help-item-appear')).toHaveCount(
    0,
  );
  await expect(page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')).toHaveCount(0);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
  expect(bad, `accessibility of ${what}`).toEqual([]);
}

/**
 * The only buttons an auditor's page may show: each reads, moves about or changes how the page
 * looks, and none writes. A button named otherwise (a new one included) fails the auditor's
 * journeys until it is judged read-only and added here.
 */
const READ_ONLY_BUTTONS: RegExp[] = [
  /^下载\s*CSV$/, // a report, statement or case list as CSV
  /^显\s*示$/, // an order's or a lot's trace, by its id
  /^加载更多$/, // the next page of a statement
  /^复制$/, // copies a value (a hash, an id) to the clipboard
  /^search$/, // a search box's button (its icon's name)
  /^close-circle$/, // a search box's clear button
  /^(上一页|下一页|left|right)$/, // a table's pages
  /^(展开行|关闭行)$/, // a table row's details
  /^(English|中文)$/, // the language switch
  /^退出$/, // signing out
];

/** The accessible names of the buttons on the page, as assistive technology reads them. */
async function buttonNames(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  return [...snapshot.matchAll(/^\s*- button(?: "((?:[^"\\]|\\.)*)")?/gm)].map((m) =>
    (m[1] ?? '').replace(/\\(.)/g, '$1').trim(),
  );
}

/**
 * Fails when the page shows a button outside the read-only set (as an auditor must never see):
 * an allow-list, so a write button added later fails too, whatever it is called.
 */
export async function expectNoWriteButton(page: Page, where: string): Promise<void> {
  const names = await buttonNames(page);
  expect(
    names.filter((name) => !READ_ONLY_BUTTONS.some((allowed) => allowed.test(name))),
    `buttons not known to be read-only on ${where}`,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A JSON call to the gateway as `token`'s user (or anonymous); throws on a non-2xx answer. */
export async function call<T>(
  method: string,
  route: string,
  { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const response = await fetch(`${baseUrl()}/api/v1${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${route}: ${response.status} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function tokenOf(email: string): Promise<string> {
  const session = await call<{ accessToken: string }>('POST', '/auth/login', {
    body: { email, password: demoPassword() },
  });
  return session.accessToken;
}

interface OrderJson {
  id: string;
  status: string;
  total: { fen: number };
  lines: { id: string; producerId: string; status: string }[];
}

/** A consumer's order of one unit of the first product matching `q`, paid by bank transfer when `pay`. */
export async function placeOrder(q: string, pay: boolean): Promise<OrderJson> {
  const consumer = await tokenOf('consumer@example.com');
  const products = await call<{ items: { id: string }[] }>('GET', `/products?q=${encodeURIComponent(q)}`);
  await call('POST', '/cart/items', {
    token: consumer,
    body: { productId: products.items[0]!.id, quantity: 1 },
  });
  const { order } = await call<{ order: OrderJson }>('POST', '/checkout', {
    token: consumer,
    body: { paymentMethod: 'manual' },
    headers: { 'Idempotency-Key': `web-e2e-${Date.now()}-${Math.random().toString(36).slice(2)}` },
  });
  if (!pay) {
    return order;
  }
  const officer = await tokenOf('officer@example.com');
  return call<OrderJson>('POST', `/orders/${order.id}/payments/manual`, {
    token: officer,
    body: { amountFen: order.total.fen, reference: `BANK-${order.id.slice(0, 8)}` },
  });
}
