import { expect, test } from '@playwright/test';
import { baseUrl, call, expectAccessible, screenshot, signIn, tokenOf } from './support/fixtures';

// 统一社会信用代码 (GB 32100-2015): 17 characters and a check character.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(stamp: number): string {
  const first17 = `93419001${String(stamp).slice(-9).padStart(9, '0')}`;
  const sum = [...first17].reduce((total, c, i) => total + ALPHABET.indexOf(c) * WEIGHTS[i]!, 0);
  return first17 + ALPHABET[(31 - (sum % 31)) % 31];
}

test('a new cooperative applies and an officer verifies it; a draft product is certified, then revoked off sale', async ({
  page,
  browser,
}) => {
  const stamp = Date.now();
  const legalName = `济源市E2E${stamp}蔬菜专业合作社`;

  // 瑞星牧业's staff apply for a further producer (a cooperative they run); a wrong check character
  // of its credit code is named under the field.
  await signIn(page, 'ruixing@example.com');
  await page.goto(`${baseUrl()}/console`);
  await page.getByRole('tab', { name: '我的入驻申请' }).click();
  await expect(page.getByRole('heading', { name: '申请入驻' })).toBeVisible();
  await page.getByLabel('主体名称').fill(legalName);
  const good = creditCode(stamp);
  const bad = good.slice(0, 17) + ALPHABET[(ALPHABET.indexOf(good[17]!) + 1) % 31];
  await page.getByLabel('统一社会信用代码').fill(bad);
  await page.getByLabel('乡镇', { exact: true }).fill('王屋镇');
  await page.getByLabel('村', { exact: true }).fill('谭庄村');
  await page.getByLabel('证明材料（编号或链接，每行一个）').fill('DOC-营业执照-001');
  await page.getByRole('button', { name: /提\s*交/ }).click();
  await expect(page.locator('.ant-form-item-explain-error')).toContainText('check character');
  await page.getByLabel('统一社会信用代码').fill(good);
  await expectAccessible(page, 'the producer application');
  await page.getByRole('button', { name: /提\s*交/ }).click();
  const mine = page.getByRole('row', { name: new RegExp(legalName) });
  await expect(mine.locator('[data-status]')).toHaveAttribute('data-status', 'pending');

  // The office verifies it from the review queue.
  const office = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const officer = await office.newPage();
  await signIn(officer, 'officer@example.com');
  await officer.getByRole('link', { name: '认定审核' }).click();
  const waiting = officer.getByRole('row', { name: new RegExp(legalName) });
  await expect(waiting).toContainText('DOC-营业执照-001');
  await expectAccessible(officer, 'the review queue');
  await waiting.getByRole('button', { name: '审核通过' }).click();
  await expect(waiting).toHaveCount(0);
  await page.reload();
  await page.getByRole('tab', { name: '我的入驻申请' }).click();
  await expect(mine.locator('[data-status]')).toHaveAttribute('data-status', 'verified');

  // 阳光兔业 drafts a product; the office certifies it with a validity: it is on sale.
  const staff = await tokenOf('yangguang@example.com');
  const {
    items: [yangguang],
  } = await call<{ items: { id: string }[] }>('GET', '/producers/mine', { token: staff });
  const name = `E2E兔肉松${stamp}`;
  await call('POST', `/producers/${yangguang!.id}/products`, {
    token: staff,
    body: { nameZh: name, category: 'processed', unit: 'jar', priceFen: 2_800, originVillage: '水洪池村' },
  });
  await officer.reload();
  const draft = officer.getByRole('row', { name: new RegExp(name) });
  await draft.getByRole('button', { name: /认\s*定/ }).click();
  const dialog = officer.getByRole('dialog');
  // An end before the start: the API names `validTo`, the form shows why under it.
  await dialog.getByLabel('有效期至（不含）').fill('2020-01-01');
  await dialog.getByRole('button', { name: /认\s*定/ }).click();
  await expect(dialog.locator('.ant-form-item-explain-error')).toBeVisible();
  await dialog.getByLabel('有效期至（不含）').fill(`${new Date().getUTCFullYear() + 2}-01-01`);
  await expectAccessible(officer, 'the certify dialog');
  await dialog.getByRole('button', { name: /认\s*定/ }).click();
  await expect(dialog).toBeHidden();
  const certificate = officer
    .locator('.ant-card')
    .filter({ hasText: '产品认定证书' })
    .getByRole('row', {
      name: new RegExp(name),
    });
  await expect(certificate.locator('[data-status]')).toHaveAttribute('data-status', 'valid');
  await screenshot(officer, 'office-review');
  const onSale = async () =>
    (await call<{ items: { nameZh: string }[] }>('GET', `/products?q=${encodeURIComponent(name)}`)).items
      .length;
  await expect.poll(onSale).toBe(1);

  // Revoked with a reason: off sale at once.
  await certificate.getByRole('button', { name: /撤\s*销/ }).click();
  await officer.getByRole('dialog').getByLabel('理由').fill('产地与申报不符');
  await officer
    .getByRole('dialog')
    .getByRole('button', { name: /撤\s*销/ })
    .click();
  await expect(certificate).toHaveCount(0);
  await expect.poll(onSale).toBe(0);
  await office.close();
});
