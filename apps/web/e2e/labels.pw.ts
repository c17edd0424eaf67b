import { expect, test } from '@playwright/test';
import { baseUrl, call, expectAccessible, tokenOf } from './support/fixtures';

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** A code of a fresh label batch of 阳光兔业's first product with a lot, licensed first if need be. */
async function aLabel(): Promise<{ code: string; lotCode: string; product: string }> {
  const staff = await tokenOf('yangguang@example.com');
  const officer = await tokenOf('officer@example.com');
  const {
    items: [producer],
  } = await call<{ items: { id: string }[] }>('GET', '/producers/mine', { token: staff });
  const products = await call<{ items: { id: string; nameZh: string; licensed: boolean }[] }>(
    'GET',
    `/products?producerId=${producer!.id}&pageSize=50`,
  );
  let product = products.items.find((p) => p.licensed);
  if (!product) {
    product = products.items[0]!;
    const licence = await call<{ id: string }>('POST', '/licences', {
      token: staff,
      body: { producerId: producer!.id, productIds: [product.id], commitmentBps: 200 },
    });
    await call('POST', `/licences/${licence.id}/approve`, {
      token: officer,
      body: { validFrom: daysFromNow(-1), validTo: daysFromNow(365) },
    });
  }
  const lots = await call<{ id: string; lotCode: string }[] | { items: { id: string; lotCode: string }[] }>(
    'GET',
    `/products/${product.id}/lots`,
    { token: staff },
  );
  const lot = (Array.isArray(lots) ? lots : lots.items)[0]!;
  const batch = await call<{ id: string }>('POST', '/label-batches', {
    token: staff,
    body: { productId: product.id, lotId: lot.id, quantity: 1 },
  });
  const sheet = await fetch(`${baseUrl()}/api/v1/label-batches/${batch.id}/sheet.svg`, {
    headers: { authorization: `Bearer ${staff}` },
  });
  // Under each QR code, its code in groups of four.
  const printed = />([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})</.exec(await sheet.text())?.[1];
  return { code: printed?.replace(/-/g, '') ?? '', lotCode: lot.lotCode, product: product.nameZh };
}

test('a label scanned shows the product, the lot and its impact; a forged code is not genuine', async ({
  page,
}) => {
  const label = await aLabel();
  expect(label.code).toMatch(/^[0-9A-Z]{24}$/);
  await page.goto(`${baseUrl()}/v/${label.code}`);
  await expect(page.getByTestId('label-result')).toHaveText('正品：扶贫标识授权有效');
  await expect(page.getByTestId('label-facts')).toContainText(label.product);
  await expect(page.getByTestId('label-facts')).toContainText(label.lotCode);
  await expect(page.getByTestId('label-impact')).toContainText('农户分成');
  await expectAccessible(page, 'the label verify page');

  await page.goto(`${baseUrl()}/v/0123456789ABCDEFGHJKMNPQ`);
  await expect(page.getByTestId('label-forged')).toContainText('非正品');
});
