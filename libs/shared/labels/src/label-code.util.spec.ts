import { randomBytes } from 'node:crypto';
import { LABEL_CODE_LENGTH, LabelCodec } from './label-code.util';

const KEY = 'label-tag-key-for-tests-0123456789abcdef';

describe(LabelCodec.name, () => {
  const codec = new LabelCodec(KEY);

  it('verifies every one of 100,000 codes it issued, all distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const code = codec.issue();
      if (code.length !== LABEL_CODE_LENGTH || codec.verify(code) !== code) {
        throw new Error(`issued code ${code} did not verify`);
      }
      seen.add(code);
    }
    expect(seen.size).toBe(100_000);
  });

  it('refuses 100,000 random strings of the right shape (forged codes)', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      const bytes = randomBytes(LABEL_CODE_LENGTH);
      let forged = '';
      for (const b of bytes) {
        forged += alphabet[b & 31];
      }
      if (codec.verify(forged) !== null) {
        accepted++;
      }
    }
    expect(accepted).toBe(0);
  });

  it('refuses a code issued under another key (a forger with their own key)', () => {
    const other = new LabelCodec('another-key-0123456789-0123456789-abc');
    expect(codec.verify(other.issue())).toBeNull();
  });

  it('refuses a code with one character changed (a mistyped or altered code)', () => {
    const code = codec.issue();
    const last = code.at(-1) === '0' ? '1' : '0';
    expect(codec.verify(code.slice(0, -1) + last)).toBeNull();
  });

  it('reads lower case, hyphens and the look-alikes I, L and O', () => {
    const code = codec.issue();
    const grouped = code.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
    expect(codec.verify(grouped)).toBe(code);
    const withAliases = code.replace(/1/g, 'I').replace(/0/g, 'o');
    expect(codec.verify(withAliases)).toBe(code);
  });

  it('refuses what is not a code at all', () => {
    for (const text of [
      '',
      'x',
      'U'.repeat(LABEL_CODE_LENGTH),
      '码'.repeat(LABEL_CODE_LENGTH),
      'A'.repeat(500),
    ]) {
      expect(codec.verify(text)).toBeNull();
    }
  });
});
