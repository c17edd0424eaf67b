import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, cartToken, credentials, ok } from './api/client';
import type { Role, Session, User } from './api/views';

const STORAGE = 'yugong.session';

interface Stored {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  user: User;
}

interface SessionState {
  user: User | undefined;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState>({
  user: undefined,
  signIn: () => Promise.reject(new Error('no session provider')),
  signOut: () => Promise.resolve(),
});

function load(): Stored | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE) ?? 'null') as Stored | null;
    return stored ?? undefined;
  } catch {
    return undefined;
  }
}

function keep(stored: Stored | undefined): void {
  credentials.accessToken = stored?.accessToken;
  credentials.expiresAt = stored?.expiresAt ?? 0;
  if (stored) {
    localStorage.setItem(STORAGE, JSON.stringify(stored));
  } else {
    localStorage.removeItem(STORAGE);
  }
}

function storedOf(session: Session): Stored {
  return {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresAt: Date.now() + session.expiresIn * 1000,
    user: session.user,
  };
}

keep(load());

let refreshing: Promise<string | undefined> | undefined;

/** Signed-in user, sign-in and sign-out; tokens are refreshed shortly before they expire. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | undefined>(() => load()?.user);

  useEffect(() => {
    credentials.refresh = () => {
      refreshing ??= (async () => {
        const stored = load();
        if (!stored) {
          return undefined;
        }
        try {
          // The refresh answers tokens only: the user stays the one who signed in.
          const session = await ok<Omit<Session, 'user' | 'cart'>>(
            api.POST('/api/v1/auth/refresh', { body: { refreshToken: stored.refreshToken } }),
          );
          keep(storedOf({ ...session, user: stored.user }));
          return session.accessToken;
        } catch {
          keep(undefined);
          setUser(undefined);
          return undefined;
        }
      })().finally(() => (refreshing = undefined));
      return refreshing;
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const anonymousCart = cartToken.get();
    const session = await ok<Session>(
      api.POST('/api/v1/auth/login', {
        body: { email, password },
        params: { header: anonymousCart ? { 'Cart-Token': anonymousCart } : {} },
      }),
    );
    keep(storedOf(session));
    if (session.cart !== undefined) {
      cartToken.clear();
    }
    setUser(session.user);
    return session.user;
  }, []);

  const signOut = useCallback(async () => {
    await api.POST('/api/v1/auth/logout').catch(() => undefined);
    keep(undefined);
    setUser(undefined);
  }, []);

  const value = useMemo(() => ({ user, signIn, signOut }), [user, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}

export const isBuyer = (role: Role | undefined) => role === 'consumer' || role === 'institution';
export const isOffice = (role: Role | undefined) =>
  role === 'relief_officer' || role === 'admin' || role === 'auditor';
/** Officers and admins write in the office; auditors only read. */
export const officeWrites = (role: Role | undefined) => role === 'relief_officer' || role === 'admin';
