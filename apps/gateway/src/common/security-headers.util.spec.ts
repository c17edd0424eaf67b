import { helmetOptions, securityHeaders } from './security-headers.util';

describe(securityHeaders.name, () => {
  it("holds helmet's headers with our content security policy", () => {
    const sut = securityHeaders();
    expect(sut['x-content-type-options']).toBe('nosniff');
    expect(sut['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(sut['x-frame-options']).toBe('SAMEORIGIN');
    expect(sut['content-security-policy']).toContain("default-src 'self'");
    expect(sut['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(sut['x-powered-by']).toBeUndefined();
  });

  it('lets Stripe.js in only when card payments are on', () => {
    const without = securityHeaders()['content-security-policy'];
    expect(without).not.toContain('stripe.com');
    const sut = securityHeaders(helmetOptions({ stripe: true }))['content-security-policy'];
    expect(sut).toContain("script-src 'self' 'unsafe-inline' https://js.stripe.com");
    expect(sut).toContain('frame-src https://js.stripe.com https://hooks.stripe.com');
    expect(sut).toContain("connect-src 'self' https://api.stripe.com");
  });
});
