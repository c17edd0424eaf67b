import { expect, test, type Page } from '@playwright/test';
import {
  baseUrl,
  call,
  expectAccessible,
  expectNoWriteButton,
  screenshot,
  signIn,
  tokenOf,
} from './support/fixtures';

interface Me {
  id: string;
  name: string;
}
interface RunJson {
  id: string;
  state: string;
  totalFen: number;
  shares: { householdId: string; amountFen: number }[];
}
interface CaseJson {
  id: string;
  archiveNumber: string;
  status: string;
  history: { kind: string; note: string | null }[];
}

/** Picks `label` in the Ant Design select the form field `field` labels. */
async function choose(page: Page, field: string, label: string): Promise<void> {
  await page.getByLabel(field, { exact: true }).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label })
    .first()
    .click();
}

test('one officer proposes a distribution run, cannot approve it, a second officer approves it and a household statement shows the credit', async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000);
  const [tokenA, tokenB] = await Promise.all([
    tokenOf('officer@example.com'),
    tokenOf('officer2@example.com'),
  ]);
  const [a, b] = await Promise.all([
    call<Me>('GET', '/me', { token: tokenA }),
    call<Me>('GET', '/me', { token: tokenB }),
  ]);
  const { items } = await call<{ items: { townNameZh: string; villageNameZh: string }[] }>(
    'GET',
    '/households?pageSize=1',
    { token: tokenA },
  );
  const household = items[0]!;

  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '基金分配' }).click();
  await expect(page).toHaveURL(/\/office\/runs$/);
  await page.locator('label', { hasText: '按监测状态加权' }).click();
  await choose(page, '乡镇', household.townNameZh);
  await choose(page, '村', household.villageNameZh);
  await page.getByLabel('分配金额（元）').fill('100');
  await page.getByLabel('备注').fill('春节慰问（浏览器测试）');
  await expectAccessible(page, 'the distribution runs with the propose form');
  await page.getByRole('button', { name: '发起分配' }).click();
  await expect(page).toHaveURL(/\/office\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split('/').pop()!;

  // The preview: every household's fen, summing exactly to the total.
  await expect(page.getByTestId('run-total')).toHaveAttribute('data-fen', '10000');
  await expect(page.getByTestId('run-sum')).toHaveAttribute('data-fen', '10000');
  const recipients = Number(await page.getByTestId('run-recipients').textContent());
  expect(recipients).toBeGreaterThan(0);
  await expect(page.getByTestId('run-shares').locator('.ant-table-tbody tr.ant-table-row')).toHaveCount(
    Math.min(recipients, 50),
  );
  await expect(page.getByTestId('run-proposer')).toContainText(a.name);
  // The proposer's approve button is disabled and says why; the API refuses it too.
  const approve = page.getByRole('button', { name: '批准入账' });
  await expect(approve).toBeDisabled();
  await expect(page.getByTestId('run-why-not')).toContainText('四眼原则');
  await expect(page.getByRole('button', { name: /驳\s*回/ })).toBeDisabled();
  await expect(page.getByRole('button', { name: '撤回提议' })).toBeEnabled();
  await expect(call('POST', `/ledger/distribution-runs/${runId}/approve`, { token: tokenA })).rejects.toThrow(
    /403.*FOUR_EYES_REQUIRED/,
  );
  await expectAccessible(page, 'a proposed run as its proposer');

  // A second officer approves it.
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
  });
  const second = await context.newPage();
  await signIn(second, 'officer2@example.com');
  await second.goto(`${baseUrl()}/office/runs/${runId}`);
  await expect(second.getByTestId('run-why-not')).toHaveCount(0);
  await second.getByRole('button', { name: '批准入账' }).click();
  await expect(second.getByRole('heading', { level: 2 }).locator('[data-status]')).toHaveAttribute(
    'data-status',
    'approved',
  );
  await expect(second.getByTestId('run-decider')).toContainText(b.name);
  await expect(second.getByTestId('run-proposer')).toContainText(a.id.slice(0, 8));
  await expect(second.getByRole('button', { name: '批准入账' })).toBeDisabled();
  await expectAccessible(second, 'an approved run');
  await screenshot(second, 'distribution-run');
  await context.close();

  // The proposer sees it approved, by the other officer; the list says the same.
  await page.reload();
  await expect(page.getByTestId('run-decider')).toContainText(b.id.slice(0, 8));
  await expect(page.getByTestId('run-proposer')).toContainText(a.name);
  const run = await call<RunJson>('GET', `/ledger/distribution-runs/${runId}`, { token: tokenA });
  expect(run.state).toBe('approved');
  expect(run.shares.reduce((sum, s) => sum + s.amountFen, 0)).toBe(10000);
  await page.goto(`${baseUrl()}/office/runs`);
  const row = page
    .getByTestId('runs-table')
    .locator('tr.ant-table-row', { hasText: '春节慰问（浏览器测试）' });
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'approved');
  await expect(row).toContainText('¥100.00');

  // A recipient's statement shows the distribution's credit.
  const share = [...run.shares].sort((x, y) => y.amountFen - x.amountFen)[0]!;
  await page.goto(`${baseUrl()}/office/runs/${runId}`);
  await page
    .getByTestId('run-shares')
    .locator(`a[href$="/office/households/${share.householdId}/statement"]`)
    .click();
  await expect(page).toHaveURL(new RegExp(`/office/households/${share.householdId}/statement$`));
  const credit = page.getByTestId('statement-entries').locator('tr.ant-table-row', {
    has: page.locator('[data-kind=distribution]'),
  });
  await expect(credit).toHaveCount(1);
  await expect(credit).toContainText(`¥${(share.amountFen / 100).toFixed(2)}`);
  await expect(credit).toContainText('春节慰问（浏览器测试）');
  expect(Number(await page.getByTestId('statement-closing').getAttribute('data-fen'))).toBeGreaterThanOrEqual(
    share.amountFen,
  );
  await expectAccessible(page, 'a household statement');
  await screenshot(page, 'statement');
});

test('an officer refreshes the return-to-poverty watch, visits a case with a note and closes it', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '防返贫监测' }).click();
  await expect(page).toHaveURL(/\/office\/monitoring$/);
  await page.getByRole('button', { name: '刷新监测' }).click();
  await expect(page.getByText(/已评估 \d+ 户/)).toBeVisible({ timeout: 60_000 });
  await choose(page, '状态', '待走访');
  const first = page.getByTestId('cases-table').locator('tr.ant-table-row').first();
  await expect(first).toBeVisible();
  const archive = (await first.locator('td').nth(1).textContent())!.trim();
  expect(archive).not.toBe('');
  await expectAccessible(page, 'the monitoring cases');
  await screenshot(page, 'monitoring');

  // The whole list again (no filter): the case stays in it as it moves.
  await page.goto(`${baseUrl()}/office/monitoring`);
  const row = page.getByTestId('cases-table').locator('tr.ant-table-row', { hasText: archive });
  await row.getByRole('button', { name: /走\s*访/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: /走\s*访/ }).click();
  await expect(dialog.getByText('请填写走访情况')).toBeVisible();
  await dialog.getByLabel('走访情况').fill('入户走访：务工收入减少，已对接公益岗位。');
  await expectAccessible(page, 'the visit form');
  await dialog.getByRole('button', { name: /走\s*访/ }).click();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'visited');
  await row.getByRole('button', { name: /展开行|Expand row/ }).click();
  await expect(page.getByText('入户走访：务工收入减少，已对接公益岗位。')).toBeVisible();

  await row.getByRole('button', { name: /结\s*案/ }).click();
  await page.getByRole('dialog').getByLabel('结案说明').fill('收入已恢复');
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /结\s*案/ })
    .click();
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'closed');
  await expect(row.getByRole('button', { name: /走\s*访|结\s*案/ })).toHaveCount(0);

  const officer = await tokenOf('officer@example.com');
  const closed = await call<{ items: CaseJson[] }>('GET', '/monitoring/cases?status=closed&pageSize=100', {
    token: officer,
  });
  const done = closed.items.find((c) => c.archiveNumber === archive)!;
  expect(done.status).toBe('closed');
  expect(done.history.map((e) => e.kind)).toEqual(expect.arrayContaining(['visited', 'closed']));
  expect(done.history.find((e) => e.kind === 'visited')?.note).toBe(
    '入户走访：务工收入减少，已对接公益岗位。',
  );
});

test('an auditor reads the runs, a run, the monitoring cases and a statement with no button that writes', async ({
  page,
}) => {
  const officer = await tokenOf('officer@example.com');
  const { items } = await call<{ items: { villageId: string }[] }>('GET', '/households?pageSize=1', {
    token: officer,
  });
  const run = await call<RunJson>('POST', '/ledger/distribution-runs', {
    token: officer,
    body: { policy: 'equal', villageId: items[0]!.villageId, totalFen: 500, memo: '审计可见' },
  });
  await call('POST', '/monitoring/refresh', { token: officer, body: {} });
  await signIn(page, 'auditor@example.com');
  const pages: [string, () => Promise<void>][] = [
    [
      '/office/runs',
      () => expect(page.getByTestId('runs-table').locator('tr.ant-table-row').first()).toBeVisible(),
    ],
    [`/office/runs/${run.id}`, () => expect(page.getByTestId('run-sum')).toHaveAttribute('data-fen', '500')],
    [
      '/office/monitoring',
      () => expect(page.getByTestId('cases-table').locator('tr.ant-table-row').first()).toBeVisible(),
    ],
    [
      '/office/suspense',
      async () => {
        await expect(page.getByTestId('suspense-table')).toBeVisible();
        await expect(page.getByTestId('unallocated-table')).toBeVisible();
      },
    ],
    [
      `/office/households/${run.shares[0]!.householdId}/statement`,
      () => expect(page.getByTestId('statement-entries')).toBeVisible(),
    ],
  ];
  for (const [path, shows] of pages) {
    await page.goto(`${baseUrl()}${path}`);
    await shows();
    await expect(
      page.getByRole('button', { name: /发起分配|批准入账|驳\s*回|撤回提议|刷新监测|处理款项|划拨给农户/ }),
    ).toHaveCount(0);
    await expectNoWriteButton(page, `${path} as an auditor`);
    await expectAccessible(page, `${path} as an auditor`);
  }
});

test('an officer opens the money waiting for the office: unmatched payments and unallocated shares', async ({
  page,
}) => {
  const officer = await tokenOf('officer@example.com');
  const waiting = await call<{ items: { producerId: string; amountFen: number }[] }>(
    'GET',
    '/ledger/unallocated-shares',
    { token: officer },
  );
  await signIn(page, 'officer@example.com');
  await page.getByRole('link', { name: '待处理款项' }).click();
  await expect(page).toHaveURL(/\/office\/suspense$/);
  await expect(page.getByTestId('suspense-table')).toBeVisible();
  // One allocate button per producer with a share waiting, as the API lists them.
  await expect(page.getByTestId('unallocated-table').getByRole('button', { name: '划拨给农户' })).toHaveCount(
    waiting.items.filter((s) => s.amountFen > 0).length,
  );
  await expectAccessible(page, 'the money waiting for the office');
});
