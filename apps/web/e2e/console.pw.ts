import { expect, test } from '@playwright/test';
import { call, expectAccessible, placeOrder, screenshot, signIn, tokenOf } from './support/fixtures';

test("a cooperative's staff adds a lot with supplier households, ships a line and refunds it; the office confirms", async ({
  page,
}) => {
  const order = await placeOrder('冷鲜兔肉', true);
  await signIn(page, 'yangguang@example.com');
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('生产者后台');
  const row = page.getByRole('row', { name: /冷鲜兔肉/ });
  await row.getByRole('button').first().click();
  await page.getByRole('button', { name: '新增批次' }).first().click();
  const dialog = page.getByRole('dialog');
  const lotCode = `RABBIT-E2E-${Date.now()}`;
  await dialog.getByLabel('批次号').fill(lotCode);
  await dialog.getByRole('spinbutton').first().fill('30');
  await dialog.getByRole('button', { name: '添加供货农户' }).click();
  await dialog.getByRole('combobox', { name: '农户' }).click();
  const option = page.locator('.ant-select-item-option').first();
  await expect(option).toContainText('*');
  await option.click();
  // More than the lot holds: the API names `suppliers`, and the form shows why under them.
  await dialog.getByRole('spinbutton', { name: '数量' }).last().fill('40');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog.locator('.ant-form-item-explain-error')).toContainText(
    "more than the lot's quantity 30",
  );
  await dialog.getByRole('spinbutton', { name: '数量' }).last().fill('12');
  await expect(dialog.locator('.ant-form-item-explain-error')).toHaveCount(0);
  await expectAccessible(page, 'the new-lot form');
  await screenshot(page, 'console-lot');
  await dialog.getByRole('button', { name: /保\s*存/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('cell', { name: lotCode, exact: true })).toBeVisible();

  const staff = await tokenOf('yangguang@example.com');
  const products = await call<{ items: { id: string; nameZh: string }[] }>('GET', '/products?q=冷鲜兔肉');
  const lots = await call<{
    items: { lotCode: string; quantity: number; suppliers: { quantity: number }[] }[];
  }>('GET', `/products/${products.items[0]!.id}/lots`, { token: staff });
  const lot = lots.items.find((l) => l.lotCode === lotCode)!;
  expect(lot.quantity).toBe(30);
  expect(lot.suppliers.map((s) => s.quantity)).toEqual([12]);
  await expectAccessible(page, 'the producer console');

  await page.getByRole('tab', { name: '待发货订单' }).click();
  const toShip = page.getByRole('row', { name: new RegExp(order.id.slice(0, 8)) }).first();
  await toShip.getByRole('link', { name: '发货' }).click();
  await expect(page).toHaveURL(new RegExp(`/orders/${order.id}$`));
  await page.getByLabel('承运商').fill('中国邮政');
  await page.getByLabel('运单号').fill('EMS1234567890');
  await expectAccessible(page, 'the ship form');
  await page.getByRole('button', { name: /发\s*货/ }).click();
  await expect(page.getByTestId('shipment')).toContainText('中国邮政 EMS1234567890');
  await expect(page.getByRole('heading', { level: 1 }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'shipped',
  );
  const shipped = await call<{ status: string; lines: { carrier: string }[] }>('GET', `/orders/${order.id}`, {
    token: staff,
  });
  expect(shipped.status).toBe('shipped');
  expect(shipped.lines[0]!.carrier).toBe('中国邮政');

  // The buyer sends it back: staff refund the line, the relief office confirms the money went back.
  await page.getByRole('button', { name: /退\s*款/ }).click();
  await page.getByLabel('退款原因').fill('包装破损，买家退货');
  await page.getByRole('checkbox', { name: '货物已退回（回库存）' }).check();
  await expectAccessible(page, 'the refund form');
  await page
    .getByRole('button', { name: /退\s*款/ })
    .last()
    .click();
  await expect(page.getByRole('row', { name: /包装破损/ }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'pending',
  );
  const office = await page.context().browser()!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const officer = await office.newPage();
  await signIn(officer, 'officer@example.com');
  await officer.getByRole('link', { name: '确认到账' }).click();
  await officer
    .getByRole('row', { name: /包装破损/ })
    .getByRole('link')
    .click();
  await officer
    .getByRole('row', { name: /包装破损/ })
    .getByLabel('转账参考号')
    .fill('REFUND-2020-0601');
  await officer.getByRole('button', { name: '确认已退款' }).click();
  await expect(officer.getByRole('row', { name: /包装破损/ }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'succeeded',
  );
  await expect(officer.getByRole('heading', { level: 1 }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'refunded',
  );
  await expectAccessible(officer, 'a refunded order');
  await office.close();
});

test("a cooperative's staff see what the ledger holds for them: the payable to the fen", async ({ page }) => {
  const staff = await tokenOf('yangguang@example.com');
  const me = await call<{ producerIds: string[] }>('GET', '/me', { token: staff });
  const balance = await call<{ payable: { fen: number }; payableCredits: { fen: number } }>(
    'GET',
    `/producers/${me.producerIds[0]}/balance`,
    { token: staff },
  );
  await signIn(page, 'yangguang@example.com');
  await page.getByRole('tab', { name: '结算' }).click();
  const payable = page.locator('.ant-statistic').filter({ hasText: '应付货款余额' });
  await expect(payable).toBeVisible();
  const shown = (await payable.locator('.ant-statistic-content').innerText()).replace(/[^\d.-]/g, '');
  expect(Math.round(Number(shown) * 100)).toBe(balance.payable.fen);
  expect(balance.payableCredits.fen).toBeGreaterThan(0);
  await expectAccessible(page, 'the console balance');
});
