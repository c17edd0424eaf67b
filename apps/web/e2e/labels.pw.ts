import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import http from 'node:http';
import { baseUrl, call, expectAccessible, screenshot, signIn, tokenOf } from './support/fixtures';

const PRODUCT = '麻辣兔头';
/**
 * Asks the public verify API for `code` from the loopback address `from` (each 127.0.n.1 is a
 * network of its own to the gateway, as scans from n different places would be); the status.
 */
function scanFrom(from: string, code: string): Promise<number> {
  const url = new URL(`/api/v1/labels/${code}`, baseUrl());
  return new Promise((resolve, reject) => {
    http
      .get({ host: url.hostname, port: url.port, path: url.pathname, localAddress: from }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .once('error', reject);
  });
}

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** 麻辣兔头 of 阳光兔业 under a live LOGO licence (applied for and approved here if need be). */
async function licensed(): Promise<{ id: string; lotCode: string }> {
  const staff = await tokenOf('yangguang@example.com');
  const officer = await tokenOf('officer@example.com');
  const products = await call<{ items: { id: string; nameZh: string; licensed: boolean }[] }>(
    'GET',
    `/products?q=${encodeURIComponent(PRODUCT)}`,
  );
  const product = products.items.find((p) => p.nameZh === PRODUCT)!;
  if (!product.licensed) {
    const {
      items: [producer],
    } = await call<{ items: { id: string }[] }>('GET', '/producers/mine', {
      token: staff,
    });
    const licence = await call<{ id: string }>('POST', '/licences', {
      token: staff,
      body: { producerId: producer!.id, productIds: [product.id], commitmentBps: 300 },
    });
    await call('POST', `/licences/${licence.id}/approve`, {
      token: officer,
      body: { validFrom: daysFromNow(-1), validTo: daysFromNow(365) },
    });
    await expect
      .poll(async () => {
        const again = await call<{ licensed: boolean }>('GET', `/products/${product.id}`);
        return again.licensed;
      })
      .toBe(true);
  }
  const lots = await call<{ items: { lotCode: string }[] }>('GET', `/products/${product.id}/lots`, {
    token: staff,
  });
  return { id: product.id, lotCode: lots.items[0]!.lotCode };
}

test('a licensee orders label codes for a lot, prints the sheet, a scanned code shows the product, lot and impact, and one scanned from too many places is flagged', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000); // two pages signed in, and a scan flushed to the signals
  const product = await licensed();
  await signIn(page, 'yangguang@example.com');
  await page.getByRole('tab', { name: '防伪标签' }).click();
  await page.getByRole('combobox', { name: '产品' }).click();
  await page.locator('.ant-select-item-option').filter({ hasText: PRODUCT }).click();
  await page.getByRole('combobox', { name: '批次' }).click();
  await page.locator('.ant-select-item-option').filter({ hasText: product.lotCode }).click();
  await page.getByLabel('数量（个）').fill('30');
  await expectAccessible(page, 'the label order form');
  await page.getByRole('button', { name: /申领标签/ }).click();
  const batch = page.getByTestId('label-batch');
  await expect(batch).toContainText(`已申领 30 个标签（批次 ${product.lotCode}）`);
  // 30 codes: two A4 pages of 24.
  await expect(batch.getByRole('button', { name: /下载标签页/ })).toHaveCount(2);
  await screenshot(page, 'console-labels');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    batch.getByRole('button', { name: '下载标签页 1（SVG）' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.svg$/);
  const svg = fs.readFileSync((await download.path())!, 'utf8');
  expect(svg).toContain('<svg');
  // Under each QR code, its code in groups of four.
  const printed = [...svg.matchAll(/>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})</g)].map((m) =>
    m[1]!.replace(/-/g, ''),
  );
  expect(printed).toHaveLength(24);

  await page.goto(`${baseUrl()}/v/${printed[0]}`);
  await expect(page.getByTestId('label-result')).toHaveText('正品：扶贫标识授权有效');
  await expect(page.getByTestId('label-facts')).toContainText(PRODUCT);
  await expect(page.getByTestId('label-facts')).toContainText(product.lotCode);
  await expect(page.getByTestId('label-facts')).toContainText('阳光兔业');
  await expect(page.getByTestId('label-impact')).toContainText('农户分成');
  await expect(page.getByTestId('label-impact')).toContainText('¥');
  await screenshot(page, 'verify-label');
  await expectAccessible(page, 'the label verify page');

  // Another code of the sheet, scanned from more places than the threshold: flagged to the office.
  const officer = await tokenOf('officer@example.com');
  const { overPlaceThreshold } = await call<{ overPlaceThreshold: number }>('GET', '/labels/signals', {
    token: officer,
  });
  const copied = printed[1]!;
  for (let n = 1; n <= overPlaceThreshold + 1; n += 1) {
    expect(await scanFrom(`127.0.${n}.1`, copied)).toBe(200);
  }
  await expect
    .poll(async () => {
      const signals = await call<{ overPlaced: { code: string; places: number }[] }>(
        'GET',
        '/labels/signals',
        {
          token: officer,
        },
      );
      return signals.overPlaced.find((o) => o.code === copied)?.places;
    })
    .toBe(overPlaceThreshold + 1);
  const office = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const dashboard = await office.newPage();
  await signIn(dashboard, 'officer@example.com');
  await dashboard.goto(`${baseUrl()}/office/licences`);
  await expect(dashboard.getByTestId('label-signals')).toContainText(
    `在超过 ${overPlaceThreshold} 个地点被查询的标签`,
  );
  const row = dashboard.getByTestId('label-signals-over-placed').getByRole('row').filter({ hasText: copied });
  // Its columns: code, places, scans.
  await expect(row.getByRole('cell').nth(1)).toHaveText(String(overPlaceThreshold + 1));
  await office.close();
});

test('a forged label code is refused on the verify page and counted on the office dashboard', async ({
  page,
  browser,
}) => {
  const officer = await tokenOf('officer@example.com');
  const before = await call<{ forgedScans: number }>('GET', '/labels/signals', { token: officer });
  const forged = '0123456789ABCDEFGHJKMNPQ';
  const answer = await fetch(`${baseUrl()}/api/v1/labels/${forged}`);
  expect(answer.status).toBe(404);
  await page.goto(`${baseUrl()}/v/${forged}`);
  await expect(page.getByTestId('label-forged')).toContainText('非正品');
  await expect(page.getByTestId('label-facts')).toHaveCount(0);
  await expectAccessible(page, 'the verify page of a forged code');

  // Both scans (the API's and the page's) are counted among the counterfeit signals.
  const office = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const dashboard = await office.newPage();
  await signIn(dashboard, 'officer@example.com');
  await dashboard.goto(`${baseUrl()}/office/licences`);
  const signals = dashboard.getByTestId('label-signals');
  await expect(signals).toContainText('伪造码查询次数');
  const after = await call<{ forgedScans: number }>('GET', '/labels/signals', { token: officer });
  expect(Number(after.forgedScans)).toBeGreaterThanOrEqual(Number(before.forgedScans) + 2);
  await expect(signals.locator('.ant-statistic').first()).toContainText(String(after.forgedScans));
  await expectAccessible(dashboard, 'the counterfeit signals');
  await office.close();
});
