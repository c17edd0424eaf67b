import request from 'supertest';
import { DEMO_PASSWORD, type Platform } from './platform';
import type { SignInJson } from './views';

/**
 * The accounts the gateway seeds with the demo data, all with {@link DEMO_PASSWORD}. The three
 * staff work for one demo producer each.
 */
export const DEMO_EMAIL = {
  admin: 'admin@example.com',
  officer: 'officer@example.com',
  auditor: 'auditor@example.com',
  consumer: 'consumer@example.com',
  institution: 'institution@example.com',
  /** Staff of 济源市阳光兔业 (Yangguang Rabbit). */
  staff: 'yangguang@example.com',
  /** Staff of 济源市瑞星牧业 (Ruixing Livestock). */
  otherStaff: 'ruixing@example.com',
  /** Staff of 济源市丰之源 (Fengzhiyuan). */
  thirdStaff: 'fengzhiyuan@example.com',
} as const;

export type DemoAccount = keyof typeof DEMO_EMAIL;

/** An account a test registered itself. */
export interface Credentials {
  email: string;
  password: string;
}

/** A demo account by name, or the credentials of another. */
export type Account = DemoAccount | Credentials;

/** A signed-in account: the header to send and the user the sign-in answered. */
export interface SignedInAccount {
  headers: { authorization: string };
  user: SignInJson['user'];
}

const signIns = new WeakMap<Platform, Map<string, Promise<SignedInAccount>>>();

/**
 * Signs `who` in on `platform` (expecting 200) once: later calls for the same account answer the
 * same token and user, so a suite signs each account in once however often it asks (sign-ins count
 * against the gateway's sign-in rate limit).
 */
export function signInAs(platform: Platform, who: Account): Promise<SignedInAccount> {
  const credentials = typeof who === 'string' ? { email: DEMO_EMAIL[who], password: DEMO_PASSWORD } : who;
  let known = signIns.get(platform);
  if (!known) {
    known = new Map();
    signIns.set(platform, known);
  }
  let signedIn = known.get(credentials.email);
  if (!signedIn) {
    signedIn = (async () => {
      const res = await request(platform.http).post('/api/v1/auth/login').send(credentials).expect(200);
      const body = res.body as SignInJson;
      return { headers: { authorization: `Bearer ${body.accessToken}` }, user: body.user };
    })();
    known.set(credentials.email, signedIn);
  }
  return signedIn;
}

/** The Authorization header of `who`, signed in once per platform (see {@link signInAs}). */
export async function signIn(platform: Platform, who: Account): Promise<{ authorization: string }> {
  return (await signInAs(platform, who)).headers;
}
