import { isIPv4, isIPv6 } from 'node:net';

/** The 8 hextets of an IPv6 address (with `::` and an embedded IPv4 expanded). */
function hextets(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((h) => Number.parseInt(h || '0', 16));
}

/**
 * The network a client address belongs to, coarse enough to stand for a place and never the
 * address itself: `a.b.c.0/24` of IPv4 (an IPv4-mapped IPv6 address counts as IPv4) and the /48
 * of IPv6. Empty for anything that is not an address.
 */
export function clientNetworkOf(address: string | undefined): string {
  if (!address) {
    return '';
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped ? mapped[1]! : address;
  if (isIPv4(v4)) {
    return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  }
  if (isIPv6(address)) {
    const h = hextets(address);
    return `${h
      .slice(0, 3)
      .map((x) => x.toString(16))
      .join(':')}::/48`;
  }
  return '';
}
