#!/usr/bin/env node
// `npm run reconcile -- --from 2020-01-01 --to 2021-01-01 [--csv]`: the three-way reconciliation of
// a period (the ledger's card clearing and fees against Stripe's balance transactions, payout
// batches against their postings and settlements), asked of the gateway as an auditor would ask it
// (GET /api/v1/ledger/reconciliation). Prints every unexplained item with its fen.
// Exit 0: every fen agrees; 1: items listed; 2: could not run.
//
// Gateway: YUGONG_API_URL (default http://localhost:3000). Who asks: YUGONG_TOKEN (a bearer token),
// else YUGONG_EMAIL and YUGONG_PASSWORD of an auditor or officer account, signed in first.
const env = process.env;

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--csv') {
      out.csv = true;
    } else if (name === '--from' || name === '--to') {
      out[name.slice(2)] = argv[++i];
    } else {
      throw new Error(`unknown argument ${name} (use --from DATE --to DATE [--csv])`);
    }
  }
  for (const name of ['from', 'to']) {
    if (!out[name] || Number.isNaN(new Date(out[name]).getTime())) {
      throw new Error(`--${name} needs an ISO 8601 date or instant, e.g. --from 2020-01-01 --to 2021-01-01`);
    }
  }
  return out;
}

async function token(base) {
  if (env.YUGONG_TOKEN) {
    return env.YUGONG_TOKEN;
  }
  if (!env.YUGONG_EMAIL || !env.YUGONG_PASSWORD) {
    throw new Error('set YUGONG_TOKEN, or YUGONG_EMAIL and YUGONG_PASSWORD of an auditor or officer');
  }
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: env.YUGONG_EMAIL, password: env.YUGONG_PASSWORD }),
  });
  if (!res.ok) {
    throw new Error(`sign-in refused: ${res.status} ${await res.text()}`);
  }
  return (await res.json()).accessToken;
}

const yuan = (fen) =>
  `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

try {
  const { from, to, csv } = args(process.argv.slice(2));
  const base = (env.YUGONG_API_URL ?? 'http://localhost:3000').replace(/\/$/, '');
  const bearer = await token(base);
  const query = new URLSearchParams({ from, to, ...(csv ? { format: 'csv' } : {}) });
  const res = await fetch(`${base}/api/v1/ledger/reconciliation?${query}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  if (!res.ok) {
    throw new Error(`the gateway answered ${res.status}: ${await res.text()}`);
  }
  if (csv) {
    const text = await res.text();
    process.stdout.write(text);
    process.exit(text.trim().split('\n').length > 2 ? 1 : 0);
  }
  const report = await res.json();
  const checked = report.processorChecked
    ? `${report.processorEntries} Stripe entries, ${report.ledgerEntries} ledger entries`
    : `${report.ledgerEntries} ledger entries; Stripe not configured, card side not checked`;
  if (report.items.length === 0) {
    console.log(`reconciled ${report.from} .. ${report.to}: every fen agrees (${checked})`);
    process.exit(0);
  }
  console.log(
    `reconciliation ${report.from} .. ${report.to}: ${report.items.length} item(s) not explained (${checked})`,
  );
  for (const i of report.items) {
    console.log(
      `${i.occurredAt}  ${i.kind.padEnd(28)} ${i.reference.padEnd(30)} ledger ${yuan(i.ledgerFen)}  external ${yuan(i.externalFen)}  difference ${i.differenceFen} fen  ${i.note}`,
    );
  }
  console.log(`total difference: ${report.unexplainedFen} fen`);
  process.exit(1);
} catch (error) {
  console.error(`reconcile could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
