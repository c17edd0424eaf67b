import { clientNetworkOf } from './client-network.util';

describe(clientNetworkOf.name, () => {
  it('keeps the /24 of an IPv4 address, mapped or not', () => {
    expect(clientNetworkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(clientNetworkOf('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(clientNetworkOf('203.0.113.1')).toBe(clientNetworkOf('203.0.113.254'));
    expect(clientNetworkOf('203.0.114.1')).not.toBe(clientNetworkOf('203.0.113.1'));
  });

  it('keeps the /48 of an IPv6 address, however it is written', () => {
    expect(clientNetworkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(clientNetworkOf('2001:0db8:ABCD:0012:0000:0000:0000:0001')).toBe('2001:db8:abcd::/48');
    expect(clientNetworkOf('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(clientNetworkOf('::1')).toBe('0:0:0::/48');
    expect(clientNetworkOf('2001:db8:abcd:ffff::')).toBe(clientNetworkOf('2001:db8:abcd::9'));
  });

  it('is empty for what is not an address', () => {
    expect(clientNetworkOf(undefined)).toBe('');
    expect(clientNetworkOf('')).toBe('');
    expect(clientNetworkOf('localhost')).toBe('');
    expect(clientNetworkOf('300.1.1.1')).toBe('');
  });
});
