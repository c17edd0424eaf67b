import { expect, test, type Page } from '@playwright/test';
import { baseUrl, call, expectAccessible, screenshot, signIn } from './support/fixtures';

const PRODUCT = '手撕兔肉干';

/**
 * The storefront's card of `name`, searched for by name, once the list has rendered it (the list
 * is fetched after the page loads: counting its LOGOs any earlier counts nothing).
 */
async function cardOf(page: Page, name: string) {
  await page.goto(`${baseUrl()}/products?q=${encodeURIComponent(name)}`);
  const card = page.getByTestId('product-card').filter({ hasText: name }).first();
  await expect(card).toBeVisible();
  return card;
}

test("阳光兔业's staff apply for a LOGO licence, an officer approves it, the storefront shows the LOGO", async ({
  page,
  browser,
}) => {
  // Before: the product is certified but no licence covers it: no LOGO.
  await expect((await cardOf(page, PRODUCT)).getByTestId('relief-logo')).toHaveCount(0);

  await signIn(page, 'yangguang@example.com');
  await expect(page).toHaveURL(/\/console$/);
  await page.getByRole('tab', { name: '标识授权' }).click();
  await page.getByRole('combobox', { name: '授权产品' }).click();
  await page.locator('.ant-select-item-option').filter({ hasText: PRODUCT }).click();
  await page.keyboard.press('Escape');
  // No commitment at all: licensing names `commitmentBps`, and the form shows why under it.
  await page.getByRole('button', { name: /提\s*交/ }).click();
  await expect(page.locator('.ant-form-item-explain-error').first()).toContainText(
    'a commitment is required',
  );
  await page.getByLabel('承诺比例（万分比，200 即 2%）').fill('200');
  await page.getByLabel('每件最低承诺（元）').fill('0.50');
  await page.getByLabel('申请说明').fill('兔肉干全部收购自建档立卡户');
  await expect(page.locator('.ant-form-item-explain-error')).toHaveCount(0);
  await expectAccessible(page, 'the licence application form');
  await page.getByRole('button', { name: /提\s*交/ }).click();
  const applied = page.getByRole('row', { name: new RegExp(PRODUCT) }).first();
  await expect(applied.locator('[data-status]')).toHaveAttribute('data-status', 'pending');
  await expect(applied).toContainText('2.00% · 每件不低于 ¥0.50');
  await screenshot(page, 'console-licence');

  const office = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const officer = await office.newPage();
  await signIn(officer, 'officer@example.com');
  await officer.getByRole('link', { name: '标识授权' }).click();
  await expect(officer).toHaveURL(/\/office\/licences$/);
  const waiting = officer
    .locator('.ant-card')
    .filter({ hasText: '待审核授权申请' })
    .getByRole('row', { name: new RegExp(PRODUCT) });
  await expect(waiting).toContainText('阳光兔业');
  await expectAccessible(officer, 'the licence review queue');
  await waiting.getByRole('button', { name: /批\s*准/ }).click();
  const dialog = officer.getByRole('dialog');
  await expect(dialog.getByLabel('有效期自')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);
  await expectAccessible(officer, 'the approval dialog');
  await dialog.getByRole('button', { name: /批\s*准/ }).click();
  await expect(dialog).toBeHidden();
  const approved = officer
    .locator('.ant-card')
    .filter({ hasText: '全部授权' })
    .getByRole('row', { name: new RegExp(PRODUCT) })
    .first();
  await expect(approved.locator('[data-status]')).toHaveAttribute('data-status', 'approved');
  await screenshot(officer, 'office-licences');
  await office.close();

  // The storefront shows the LOGO on the list and the product page (catalog learns of the
  // licence from licensing by itself: at approval, or, if that push did not get through, at the
  // next pass of licensing's job; under the full suite's load that has taken over 20 s).
  await expect
    .poll(async () => (await cardOf(page, PRODUCT)).getByTestId('relief-logo').count(), { timeout: 60_000 })
    .toBe(1);
  const card = await cardOf(page, PRODUCT);
  await expect(card.getByTestId('relief-logo')).toContainText('扶贫标识');
  await expectAccessible(page, 'the product list with the LOGO');
  await card.getByRole('link', { name: PRODUCT }).click();
  await expect(page.getByTestId('relief-logo')).toBeVisible();
  const products = await call<{ items: { nameZh: string; licensed: boolean; licenceNumber: string }[] }>(
    'GET',
    `/products?q=${encodeURIComponent(PRODUCT)}`,
  );
  const product = products.items.find((p) => p.nameZh === PRODUCT)!;
  expect(product.licensed).toBe(true);
  await expect(page.getByTestId('relief-logo')).toHaveAttribute('data-licence', product.licenceNumber);
  await screenshot(page, 'product-logo');
  await expectAccessible(page, 'the product page with the LOGO');

  // A product no licence covers shows none.
  await expect((await cardOf(page, '散养土鸡蛋')).getByTestId('relief-logo')).toHaveCount(0);
});
