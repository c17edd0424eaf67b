import { webAppUrl } from './web-app.util';

describe(webAppUrl.name, () => {
  it.each([
    ['/products', '/'],
    ['/products/0f8a?town=%E7%8E%8B%E5%B1%8B%E9%95%87', '/'],
    ['/office/households', '/'],
    ['/orders/123/', '/'],
  ])('sends the app page %s to index.html', (url, expected) => {
    expect(webAppUrl('GET', url)).toBe(expected);
    expect(webAppUrl('HEAD', url)).toBe(expected);
  });

  it.each([
    '/',
    '/api/v1/products',
    '/api',
    '/api/docs',
    '/healthz',
    '/readyz',
    '/metrics',
    '/assets/index-abc123.js',
    '/favicon.svg',
    '/products/logo.png?x=1',
  ])('leaves %s to the server', (url) => {
    expect(webAppUrl('GET', url)).toBe(url);
  });

  it('never rewrites a write', () => {
    expect(webAppUrl('POST', '/products')).toBe('/products');
  });
});
