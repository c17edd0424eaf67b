import { expect, test } from '@playwright/test';
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

/** A national ID with a correct GB 11643 check digit (or a wrong one, when `broken`). */
function nationalId(body17: string, broken = false): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  const digits = '10X98765432';
  const check = digits[sum % 11]!;
  return body17 + (broken ? digits[(sum + 1) % 11]! : check);
}

test('an officer imports a register file with two bad rows: both reported, nothing written', async ({
  page,
}) => {
  const villages = await call<{ items: { nameZh: string; townNameZh: string }[] }>(
    'GET',
    '/villages?pageSize=1',
  );
  const village = villages.items[0]!;
  const stamp = String(Date.now()).slice(-6);
  const good = `E2E-${stamp}-1`;
  const csv = [
    'archiveNumber,headName,nationalId,members,townNameZh,villageNameZh',
    `${good},张三丰,${nationalId(`41900119800101${stamp.slice(0, 3)}`)},3,${village.townNameZh},${village.nameZh}`,
    `E2E-${stamp}-2,李四,${nationalId(`41900119810202${stamp.slice(0, 3)}`, true)},2,${village.townNameZh},${village.nameZh}`,
    `E2E-${stamp}-3,王五,${nationalId(`41900119820303${stamp.slice(0, 3)}`)},0,${village.townNameZh},${village.nameZh}`,
  ].join('\n');

  await signIn(page, 'officer@example.com');
  await expect(page).toHaveURL(/\/office$/);
  await expect(page.locator('svg').first()).toBeVisible();
  await expectAccessible(page, 'the register summary');
  await screenshot(page, 'dashboard');
  await page.getByRole('link', { name: '导入档案' }).click();
  await page.locator('input[type=file]').setInputFiles({
    name: 'register-2020.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  });
  await page.getByLabel('导入目的').fill('2020 年度动态调整');
  await expectAccessible(page, 'the import form');
  await page.getByRole('button', { name: '上传并导入' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('未写入任何数据');
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  const rows = report.locator('.ant-table-tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('3');
  await expect(rows.nth(0)).toContainText('nationalId');
  await expect(rows.nth(1)).toContainText('4');
  await expect(rows.nth(1)).toContainText('members');
  await expect(report).toContainText('读取行数3');
  await expectAccessible(page, 'the import report');
  await screenshot(page, 'import-report');

  const officer = await tokenOf('officer@example.com');
  for (const archive of [good, `E2E-${stamp}-2`, `E2E-${stamp}-3`]) {
    const found = await call<{ items: unknown[] }>('GET', `/households?archiveNumber=${archive}`, {
      token: officer,
    });
    expect(found.items).toEqual([]);
  }
});

test('an auditor sees every dashboard page and no button that writes', async ({ page }) => {
  const pending = await placeOrder('蜂蜜', false);
  await signIn(page, 'auditor@example.com');
  await expect(page).toHaveURL(/\/office$/);
  await expect(page.getByText('只读（审计）')).toBeVisible();
  const pages: [string, () => Promise<void>][] = [
    ['/office', () => expect(page.locator('svg').first()).toBeVisible()],
    ['/office/households', () => expect(page.getByRole('cell', { name: /\*/ }).first()).toBeVisible()],
    ['/office/import', () => expect(page.getByText('只读（审计）').last()).toBeVisible()],
    [
      '/office/producers',
      async () => {
        await page.getByRole('searchbox', { name: /按名称或乡镇查找/ }).fill('阳光');
        await expect(page.getByRole('cell', { name: /阳光兔业/ })).toBeVisible();
      },
    ],
    [
      '/office/payments',
      () => expect(page.getByRole('link', { name: pending.id.slice(0, 8) })).toBeVisible(),
    ],
    ['/office/review', () => expect(page.getByRole('heading', { name: /产品认定证书/ })).toBeVisible()],
    ['/office/licences', () => expect(page.getByRole('heading', { name: '全部授权' })).toBeVisible()],
    [
      '/office/payouts',
      () => expect(page.getByRole('heading', { name: '农户与企业支付批次' })).toBeVisible(),
    ],
  ];
  for (const [path, shows] of pages) {
    await page.goto(`${baseUrl()}${path}`);
    await shows();
    await expectAccessible(page, `${path} as an auditor`);
    await expectNoWriteButton(page, path);
  }
  // Households are masked for auditors: no full name or ID on the page.
  await page.goto(`${baseUrl()}/office/households`);
  await expect(page.getByRole('cell', { name: /\*/ }).first()).toBeVisible();
  const ids = await page.locator('tr.ant-table-row td:nth-child(3)').allTextContents();
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    expect(id).toMatch(/\*{6,}/);
  }
  await page.goto(`${baseUrl()}/office/producers`);
  await page.getByRole('searchbox', { name: /按名称或乡镇查找/ }).fill('阳光');
  await page
    .getByRole('row', { name: /阳光兔业/ })
    .getByRole('button')
    .first()
    .click();
  await expect(page.getByText('带贫户数')).toBeVisible();
  await expectNoWriteButton(page, 'a producer opened');

  await page.goto(`${baseUrl()}/orders/${pending.id}`);
  await expect(page.getByRole('heading', { level: 1 }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'pending_payment',
  );
  await expectAccessible(page, 'an order as an auditor');
  await expectNoWriteButton(page, 'an order awaiting payment');
});

test('an officer sees the register masked and a full record only after stating a purpose, which is logged', async ({
  page,
}) => {
  const officer = await tokenOf('officer@example.com');
  await signIn(page, 'officer@example.com');
  await page.goto(`${baseUrl()}/office/households`);
  const row = page.locator('tr.ant-table-row').first();
  await expect(row).toBeVisible();
  const [archive, maskedName, maskedId] = await row
    .locator('td')
    .evaluateAll((cells) => cells.slice(0, 3).map((c) => (c.textContent ?? '').trim()));
  expect(maskedName).toContain('*');
  expect(maskedId).toMatch(/\*{6,}/);
  // The auditor's check fails here: an officer's register has buttons outside the read-only set.
  await expect(expectNoWriteButton(page, "an officer's register")).rejects.toThrow(/查看完整档案/);
  const {
    items: [listed],
  } = await call<{ items: { id: string }[] }>('GET', `/households?archiveNumber=${archive}`, {
    token: officer,
  });
  const logged = async () =>
    (
      await call<{ items: { purpose: string }[] }>(
        'GET',
        `/register/access-log?householdId=${listed!.id}&pageSize=100`,
        { token: officer },
      )
    ).items.map((e) => e.purpose);
  const before = await logged();

  await row.getByRole('button', { name: '查看完整档案' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('查阅目的')).toBeVisible();
  // No purpose: nothing read, the field says so, and the dialog shows no personal data.
  await dialog.getByRole('button', { name: '查看完整档案' }).click();
  await expect(dialog.locator('.ant-form-item-explain-error')).toBeVisible();
  await expect(dialog.getByText('身份证号')).toHaveCount(0);
  expect(await logged()).toEqual(before);
  await expectAccessible(page, 'the purpose asked before a full record');

  const purpose = `核实 ${archive} 的收入申报`;
  await dialog.getByLabel('查阅目的').fill(purpose);
  await dialog.getByRole('button', { name: '查看完整档案' }).click();
  const fullId = dialog.getByRole('row', { name: /^身份证号/ }).getByRole('cell');
  await expect(fullId).toHaveText(/^\d{17}[\dX]$/);
  const fullName = dialog.getByRole('row', { name: /^户主/ }).getByRole('cell');
  await expect(fullName).not.toContainText('*');
  // The unmasked values are the masked ones filled in: same ends, same length.
  const id = (await fullId.textContent())!;
  expect(id).toHaveLength(maskedId.length);
  expect(id.slice(0, 4)).toBe(maskedId.slice(0, 4));
  expect(id.slice(-4)).toBe(maskedId.slice(-4));
  expect(Array.from((await fullName.textContent())!)[0]).toBe(Array.from(maskedName)[0]);
  await expect.poll(logged).toEqual(expect.arrayContaining([...before, purpose]));
  await expectAccessible(page, 'a full household record');

  // The list behind the dialog is still masked.
  await dialog.getByRole('button', { name: '关闭' }).click();
  await expect(row.locator('td').nth(2)).toHaveText(maskedId);
});
