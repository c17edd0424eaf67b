/**
 * Masked forms of a household's personal data, shown to everyone but the relief office:
 * a name keeps its first and last character (王*波; two characters: 王*), a national ID its first and
 * last four (4108**********1234), an account its last four (****1234).
 */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length === 0) {
    return '';
  }
  if (chars.length === 1) {
    return '*';
  }
  if (chars.length === 2) {
    return `${chars[0]}*`;
  }
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export function maskNationalId(id: string): string {
  if (id.length <= 8) {
    return '*'.repeat(id.length);
  }
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

export function maskAccount(account: string): string {
  if (account === '') {
    return '';
  }
  // Always four stars, so the mask does not tell the account's length.
  return `****${account.slice(-4)}`;
}
