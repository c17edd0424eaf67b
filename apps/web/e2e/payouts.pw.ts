import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, expectAccessible, screenshot, signIn, tokenOf } from './support/fixtures';

interface Detail {
  id: string;
  number: number;
  state: string;
  totalFen: number;
  lineCount: number;
  skippedCount: number;
  lines: {
    payeeKind: 'household' | 'producer';
    householdId: string | null;
    amountFen: number;
    reference: string | null;
    status: string;
  }[];
}

const latestBatch = async (token: string) => {
  const { items } = await call<{ items: Detail[] }>('GET', '/ledger/payout-batches', { token });
  const newest = items.reduce((a, b) => (Number(b.number) > Number(a.number) ? b : a));
  return call<Detail>('GET', `/ledger/payout-batches/${newest.id}`, { token });
};

test('an officer pays household balances out: creates a batch, downloads the bank file, marks it sent and settles it from the return file', async ({
  page,
}) => {
  const officer = await tokenOf('officer@example.com');
  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '农户支付' }).click();
  await expect(page).toHaveURL(/\/office\/payouts$/);
  // A minimum that is not an amount: the form says so under the field.
  await page.getByLabel('起付金额（元）').fill('abc');
  await page.getByRole('button', { name: '生成支付批次' }).click();
  await expect(page.locator('.ant-form-item-explain-error')).toContainText('起付金额');

  // A first batch: households without a bank account are skipped, listed with why.
  await page.getByLabel('起付金额（元）').fill('0.01');
  await page.getByLabel('备注').fill('2020 年第一批');
  await page.getByRole('button', { name: '生成支付批次' }).click();
  await expect(page.getByRole('row', { name: /2020 年第一批/ })).toBeVisible();
  const first = await latestBatch(officer);
  expect(first.lines.length).toBeGreaterThan(0);

  // The office records bank accounts of two skipped households; a second batch pays them.
  const skipped = first.lines
    .filter((l) => l.status === 'skipped' && l.payeeKind === 'household')
    .slice(0, 2);
  for (const [i, line] of skipped.entries()) {
    await call('PUT', `/households/${line.householdId!}/payout-account`, {
      token: officer,
      body: { payeeName: `收款人${i + 1}`, accountNumber: `62284800123456789${i}`, bankName: '济源农商银行' },
    });
  }
  await page.getByLabel('起付金额（元）').fill('0.01');
  await page.getByLabel('备注').fill('2020 年第二批');
  await page.getByRole('button', { name: '生成支付批次' }).click();
  const row = page.getByRole('row', { name: /2020 年第二批/ });
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'draft');
  const second = await latestBatch(officer);
  const payable = second.lines.filter((l) => l.status === 'reserved');
  expect(payable.length).toBeGreaterThanOrEqual(skipped.length);
  const totalFen = payable.reduce((sum, l) => sum + l.amountFen, 0);
  expect(second.totalFen).toBe(totalFen);
  await expect(row).toContainText(`¥${(totalFen / 100).toFixed(2)}`.replace(/\B(?=(\d{3})+(?!\d))/g, ','));

  // Its lines, and the households skipped with why.
  await row.getByRole('button').first().click();
  await expect(page.getByText(/跳过的收款方/).first()).toBeVisible();
  await expectAccessible(page, 'the payout batches');
  await screenshot(page, 'payouts');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: '下载银行文件' }).click(),
  ]);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\n')[0]).toContain('reference');
  for (const line of payable) {
    expect(csv).toContain(line.reference!);
  }

  await row.getByRole('button', { name: '标记已发送银行' }).click();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'sent');

  // The bank returns the first line as failed: it goes back to the household's balance.
  const returned = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'payout-')), 'return.csv');
  fs.writeFileSync(returned, `reference,reason\n${payable[0]!.reference},account closed\n`);
  await row.getByRole('button', { name: /结\s*算/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('银行回单文件（CSV）').setInputFiles(returned);
  await expectAccessible(page, 'the settlement dialog');
  await dialog.getByRole('button', { name: '上传回单并结算' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'settled');
  const settled = await call<Detail & { paidFen: number; failedFen: number }>(
    'GET',
    `/ledger/payout-batches/${second.id}`,
    { token: officer },
  );
  expect(settled.failedFen).toBe(payable[0]!.amountFen);
  expect(settled.paidFen).toBe(totalFen - payable[0]!.amountFen);
  expect(settled.lines.find((l) => l.reference === payable[0]!.reference)!.status).toBe('failed');
});
