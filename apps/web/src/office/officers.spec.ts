import type { User } from '../api/views';
import { officerName } from './officers';

const me: User = {
  id: '11111111-2222-3333-4444-555555555555',
  email: 'officer@example.com',
  name: '济源市扶贫办',
  role: 'relief_officer',
  producerIds: [],
  createdAt: '2020-01-01T00:00:00Z',
  disabled: false,
};
const words = { you: '（我）', officer: '干部' };

describe(officerName.name, () => {
  it('names the signed-in officer', () => {
    expect(officerName(me.id, me, words)).toBe('济源市扶贫办（我）');
  });

  it('shows another officer by the start of their id', () => {
    expect(officerName('abcdef01-0000-0000-0000-000000000000', me, words)).toBe('干部 abcdef01');
  });

  it('shows a dash when nobody has decided', () => {
    expect(officerName(null, me, words)).toBe('–');
    expect(officerName(null, undefined, words)).toBe('–');
  });
});
