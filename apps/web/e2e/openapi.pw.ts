import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { baseUrl, ROOT } from './support/fixtures';

test("the web app's committed OpenAPI schema is the gateway's current one", () => {
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'apps/web/scripts/openapi.mjs'), '--check', '--url', baseUrl()],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(`${run.stdout}${run.stderr}`.trim()).toBe("the web app's OpenAPI schema is current");
  expect(run.status).toBe(0);
});

test('a page path falls back to the app, an unknown API path stays a JSON 404', async () => {
  const page = await fetch(`${baseUrl()}/office/households`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.headers.get('cache-control')).toBe('no-cache');
  const html = await page.text();
  expect(html).toContain('<div id="root">');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const asset = await fetch(`${baseUrl()}${script}`, { headers: { 'accept-encoding': 'gzip' } });
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-encoding')).toBe('gzip');
  expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const api = await fetch(`${baseUrl()}/api/v1/no-such-thing`);
  expect(api.status).toBe(404);
  expect(api.headers.get('content-type')).toContain('application/json');
  const missing = await fetch(`${baseUrl()}/assets/no-such-file.js`);
  expect(missing.status).toBe(404);
});

test('without a publishable key the checkout offers bank transfer only, and no Stripe origin is allowed', async () => {
  const res = await fetch(`${baseUrl()}/api/v1/payments/options`);
  expect(await res.json()).toEqual({ manual: true, card: false, stripePublishableKey: null });
  expect(res.headers.get('content-security-policy')).not.toContain('stripe.com');
});
