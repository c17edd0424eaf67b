import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import {
  baseUrl,
  call,
  expectAccessible,
  expectNoWriteButton,
  placeOrder,
  screenshot,
  signIn,
  tokenOf,
} from './support/fixtures';

// The demo region's sales are dated 2020: a period around them is not moved by the orders the
// browser tests place (dated now).
const PERIOD = { from: '2020-01-01', to: '2020-12-31' };
const PERIOD_QUERY = 'from=2020-01-01T00:00:00%2B08:00&to=2021-01-01T00:00:00%2B08:00';

interface Income {
  rows: { key: string }[];
  householdAmount: { fen: number };
  collectiveAmount: { fen: number };
}
interface Trace {
  lines: { producerId: string; lots: { lotId: string }[]; households: { lotId: string | null }[] }[];
  netPaid: { fen: number };
}

/** The period's relief income once the ledger has caught up with the demo orders (two reads agree). */
async function settledIncome(token: string, groupBy: string): Promise<Income> {
  const read = () =>
    call<Income>('GET', `/ledger/relief-income?groupBy=${groupBy}&${PERIOD_QUERY}`, { token });
  let last = await read();
  for (let i = 0; i < 30; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = await read();
    if (JSON.stringify(next) === JSON.stringify(last) && next.rows.length > 0) {
      return next;
    }
    last = next;
  }
  throw new Error('the ledger did not settle within 30 s');
}

/** The ledger's trace of an order, once it has posted the payment. */
async function traceOf(orderId: string, token: string): Promise<Trace> {
  for (let i = 0; i < 30; i += 1) {
    try {
      return await call<Trace>('GET', `/orders/${orderId}/trace`, { token });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`order ${orderId} was not traced within 30 s`);
}

async function choosePeriod(page: Page): Promise<void> {
  await page.getByLabel('开始日期').fill(PERIOD.from);
  await page.getByLabel('结束日期（含）').fill(PERIOD.to);
}

const totalOf = async (page: Page) => Number(await page.getByTestId('income-total').getAttribute('data-fen'));

test('an officer reads relief income by town and village, downloads its CSV and sees the trial balance sum to zero', async ({
  page,
}) => {
  test.setTimeout(150_000); // the ledger may still be catching up with the demo orders
  const officer = await tokenOf('officer@example.com');
  const byVillage = await settledIncome(officer, 'village');
  const expected = byVillage.householdAmount.fen + byVillage.collectiveAmount.fen;

  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '惠农收益报表' }).click();
  await expect(page).toHaveURL(/\/office\/reports$/);
  await expect(page.getByRole('columnheader', { name: '乡镇' })).toBeVisible();
  await choosePeriod(page);
  await expect.poll(() => totalOf(page)).toBe(expected);
  await page.locator('label', { hasText: '按村' }).click();
  await expect(page.getByRole('columnheader', { name: '村', exact: true })).toBeVisible();
  await expect.poll(() => totalOf(page)).toBe(expected);
  await expect(page.getByTestId('income-table').locator('.ant-table-tbody tr')).toHaveCount(
    Math.min(byVillage.rows.length, 50),
  );
  await expect(page.locator('[role=img] svg').first()).toBeVisible();
  await expectAccessible(page, 'relief income by village');
  await screenshot(page, 'reports');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: '下载 CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('relief-income-by-village.csv');
  const lines = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(lines[0]).toBe('village,households,household_fen,collective_fen');
  const rows = lines.slice(1).map((line) => line.split(','));
  const total = rows.pop()!;
  expect(total[0]).toBe('TOTAL');
  expect(rows).toHaveLength(byVillage.rows.length);
  const sum = rows.reduce((s, row) => s + Number(row[2]) + Number(row[3]), 0);
  expect(sum).toBe(await totalOf(page));
  expect(Number(total[2]) + Number(total[3])).toBe(sum);

  await page.getByRole('link', { name: '试算平衡' }).click();
  await expect(page.getByTestId('trial-balance-verdict')).toContainText('合计为零');
  await expect(page.getByTestId('trial-difference')).toHaveText('¥0.00');
  await expect(page.getByTestId('chain-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expectAccessible(page, 'the trial balance');
  await screenshot(page, 'trial-balance');
});

test("the money flow draws the ledger and one order as a Sankey, and a lot's trace reaches households", async ({
  page,
}) => {
  test.setTimeout(150_000); // the order's payment reaches the ledger through orders' relay
  const order = await placeOrder('兔', true);
  const officer = await tokenOf('officer@example.com');
  const trace = await traceOf(order.id, officer);
  const lotId =
    trace.lines.flatMap((l) => l.households.map((h) => h.lotId)).find((id) => id) ??
    trace.lines[0]!.lots[0]!.lotId;

  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '资金流向' }).click();
  const sankey = page.getByTestId('sankey');
  await expect(sankey.locator('canvas')).toBeVisible();
  expect(Number(await sankey.getAttribute('data-flows'))).toBeGreaterThan(2);
  await expect(page.getByTestId('flow-table')).toContainText('生产者货款');
  await expectAccessible(page, 'the money flow of the ledger');
  await screenshot(page, 'flow');

  await page.locator('label', { hasText: '某一订单（追溯）' }).click();
  await page.getByLabel('订单号').fill(order.id);
  await page.getByRole('button', { name: /显\s*示/ }).click();
  await expect(page).toHaveURL(new RegExp(`order=${order.id}`));
  await expect(page.getByTestId('flow-table')).toContainText('农户');
  await expect(sankey.locator('canvas')).toBeVisible();
  // Every fen the order netted leaves the buyer's payment for somewhere.
  const paidOut = await page
    .getByTestId('flow-table')
    .locator('.ant-table-tbody tr', { hasText: /^买家付款/ })
    .locator('td:last-child')
    .allTextContents();
  const fen = paidOut.reduce((sum, text) => sum + Math.round(Number(text.replace(/[¥,]/g, '')) * 100), 0);
  expect(fen).toBe(trace.netPaid.fen);
  // The chart downloads as CSV in fen: the table's rows, the payment out summing to the same.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: '下载 CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`money-flow-order-${order.id}.csv`);
  const lines = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(lines[0]).toBe('from,to,fen');
  const rows = lines.slice(1).map((line) => line.split(','));
  expect(rows).toHaveLength(await page.getByTestId('flow-table').locator('.ant-table-tbody tr').count());
  for (const row of rows) {
    expect(row[2]).toMatch(/^[1-9]\d*$/);
  }
  expect(rows.filter((row) => row[0] === '买家付款').reduce((sum, row) => sum + Number(row[2]), 0)).toBe(
    trace.netPaid.fen,
  );
  await expectAccessible(page, "an order's money flow");
  // The order's own page leads to the same chart.
  await page.goto(`${baseUrl()}/orders/${order.id}`);
  await page.getByRole('link', { name: '资金流向图' }).click();
  await expect(page).toHaveURL(new RegExp(`/office/flow\\?order=${order.id}`));
  await expect(page.getByTestId('flow-table')).toContainText('农户');

  // The order's lots lead to their traces.
  await page.getByTestId('order-lots').locator(`a[href$="${lotId}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/office/lots\\?lot=${lotId}`));
  await expect(page.getByTestId('lot-households')).not.toHaveText('');
  expect(Number(await page.getByTestId('lot-households').textContent())).toBeGreaterThan(0);
  const ids = await page
    .getByTestId('lot-household-rows')
    .locator('.ant-table-tbody tr td:first-child')
    .allTextContents();
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    expect(id).toMatch(/^[0-9a-f]{4}\*{4}[0-9a-f]{4}$/);
  }
  await expect(page.getByTestId('lot-villages').locator('.ant-table-tbody tr').first()).toBeVisible();
  await expectAccessible(page, "a lot's trace");
  await screenshot(page, 'lot-trace');
});

test('an auditor reads every report and the flow chart, with no button that writes', async ({ page }) => {
  test.setTimeout(150_000); // as above
  const auditor = await tokenOf('auditor@example.com');
  const byTown = await settledIncome(auditor, 'town');
  await signIn(page, 'auditor@example.com');
  await page.goto(`${baseUrl()}/office/reports`);
  await choosePeriod(page);
  await expect.poll(() => totalOf(page)).toBe(byTown.householdAmount.fen + byTown.collectiveAmount.fen);
  await page.locator('label', { hasText: '按月份' }).click();
  await expect(page.getByRole('columnheader', { name: '月份' })).toBeVisible();
  await expect(page.getByRole('cell', { name: '2020-05' })).toBeVisible();
  await expectNoWriteButton(page, 'the reports as an auditor');
  await expectAccessible(page, 'the reports as an auditor');

  await page.goto(`${baseUrl()}/office/ledger`);
  await expect(page.getByTestId('trial-balance-verdict')).toContainText('合计为零');
  await expectNoWriteButton(page, 'the trial balance as an auditor');

  await page.goto(`${baseUrl()}/office/flow`);
  await expect(page.getByTestId('sankey').locator('canvas')).toBeVisible();
  await page.locator('label', { hasText: '某一时期（惠农部分）' }).click();
  await choosePeriod(page);
  await expect(page.getByTestId('flow-table')).toContainText('农户');
  await expectNoWriteButton(page, 'the money flow as an auditor');
  await expectAccessible(page, 'a period of the money flow');

  await page.getByRole('link', { name: '批次追溯' }).click();
  await expect(page.getByLabel('批次 ID')).toBeVisible();
  await expectNoWriteButton(page, 'the lot trace as an auditor');
  await expectAccessible(page, 'the lot trace as an auditor');
});
