import request from 'supertest';
import { signIn, type DemoAccount } from './support/accounts';
import { endpointsOf, fuzzCases, type FuzzCase, type OpenApiDocument } from './support/fuzz-cases';
import { startPlatform, type Platform } from './support/platform';

// `npm run fuzz -- --cases 10000 --seed 7` runs this file with more cases; CI runs the default.
const CASES = Number(process.env['FUZZ_CASES'] ?? 600);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_201_231);
const IN_FLIGHT = 8;

/** Who sends each case, in turn: mostly those who get past the roles to the validation. */
const SENDERS: (DemoAccount | 'anonymous')[] = [
  'admin',
  'officer',
  'staff',
  'consumer',
  'anonymous',
  'admin',
];

interface Finding {
  case: FuzzCase;
  sender: string;
  status: number;
  body: string;
}

/** A 400 or 422 must say which field is wrong and why: `fields` names it. */
function namesAField(body: unknown): boolean {
  const fields = (body as { fields?: { field?: unknown; reason?: unknown }[] } | undefined)?.fields;
  return (
    Array.isArray(fields) &&
    fields.length > 0 &&
    fields.every((f) => typeof f.field === 'string' && f.field !== '' && typeof f.reason === 'string')
  );
}

describe('the API under generated bad input', () => {
  let platform: Platform;
  let doc: OpenApiDocument;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    platform = await startPlatform(
      'fuzz_e2e',
      { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_RATE_LIMIT_PER_MINUTE: '1000000' },
      { ledger: true, licensing: true },
    );
    doc = (await request(platform.http).get('/api/docs/openapi.json').expect(200)).body as OpenApiDocument;
    for (const who of SENDERS) {
      headers[who] = who === 'anonymous' ? {} : await signIn(platform, who);
    }
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it(`answers ${CASES} generated requests (seed ${SEED}) with no 5xx, and every 400/422 names the field`, async () => {
    const endpoints = endpointsOf(doc);
    expect(endpoints.length).toBeGreaterThan(90);
    const cases = fuzzCases(endpoints, CASES, SEED);
    const errors: Finding[] = [];
    const unnamed: Finding[] = [];
    const statuses = new Map<number, number>();

    const send = async (c: FuzzCase, i: number) => {
      // Signing out would end the sender's session for every case after it.
      const sender = c.endpoint.includes('/auth/logout') ? 'anonymous' : SENDERS[i % SENDERS.length]!;
      let req = request(platform.http)
        [c.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](c.url)
        .set(headers[sender]!)
        .set(c.headers);
      if (c.body !== undefined && c.method !== 'GET') {
        req = req.send(c.body as string);
      }
      const res = await req;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const finding = { case: c, sender, status: res.status, body: res.text.slice(0, 300) };
      if (res.status >= 500) {
        errors.push(finding);
      } else if ((res.status === 400 || res.status === 422) && !namesAField(res.body)) {
        unnamed.push(finding);
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < cases.length) {
          const i = next++;
          await send(cases[i]!, i);
        }
      }),
    );

    const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    process.stdout.write(`fuzz: ${CASES} cases, seed ${SEED}: ${summary.join(' ')}\n`);
    const show = (f: Finding) =>
      `${f.status} ${f.case.endpoint} (${f.case.mutation}) as ${f.sender}: ${f.case.method} ${f.case.url.slice(0, 120)} → ${f.body}`;
    expect(errors.map(show)).toEqual([]);
    expect(unnamed.map(show)).toEqual([]);
  }, 600_000);
});
