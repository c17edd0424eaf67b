import { securityHeaders } from './security-headers.util';

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
});
