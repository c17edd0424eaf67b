import type { User } from '../api/views';

/**
 * How an officer is shown in the office's lists. The gateway answers user ids only (it has no
 * route that names another user), so the signed-in officer is shown by name and others by the
 * start of their id.
 */
export function officerName(
  userId: string | null,
  me: User | undefined,
  words: { you: string; officer: string },
): string {
  if (!userId) {
    return '–';
  }
  return userId === me?.id ? `${me.name}${words.you}` : `${words.officer} ${userId.slice(0, 8)}`;
}
