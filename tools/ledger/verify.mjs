#!/usr/bin/env node
// `npm run ledger:verify`: recomputes the ledger's SHA-256 chain from its transactions and postings
// as they stand and names the first transaction that does not match; also lists transactions left
// unsealed for more than 10 s, and compares the per-account-month summary the reports read with
// the postings of the sealed transactions. Exit 0: intact; 1: a mismatch, unsealed transactions or
// a summary that differs; 2: could not run.
//
// Database: LEDGER_DATABASE_URL (the ledger's own database), else DATABASE_URL as a server URL (as
// `npm start` takes it) with the database yugong_ledger, else the embedded PostgreSQL `npm start`
// runs (.data/secrets.json, YUGONG_PG_PORT or 54329).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;

function ledgerUrl() {
  if (env.LEDGER_DATABASE_URL) {
    return env.LEDGER_DATABASE_URL;
  }
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    url.pathname = '/yugong_ledger';
    return url.href;
  }
  const secrets = path.join(ROOT, '.data', 'secrets.json');
  if (!fs.existsSync(secrets)) {
    throw new Error(
      'no LEDGER_DATABASE_URL or DATABASE_URL, and no .data/secrets.json of `npm start` to find its database',
    );
  }
  const { POSTGRES_PASSWORD } = JSON.parse(fs.readFileSync(secrets, 'utf8'));
  const port = env.YUGONG_PG_PORT ?? '54329';
  return `postgres://postgres:${encodeURIComponent(POSTGRES_PASSWORD)}@127.0.0.1:${port}/yugong_ledger`;
}

try {
  const { build } = await import(path.join(ROOT, 'tools/runtime/build.mjs'));
  await build({ app: 'ledger', log: () => undefined });
  const { verifyLedger } = require(path.join(ROOT, 'dist/apps/ledger/src/chain/verify-ledger.js'));
  const url = ledgerUrl();
  const report = await verifyLedger(url);
  if (report.firstBad) {
    const bad = report.firstBad;
    console.log(
      `ledger chain BROKEN at link ${bad.seq}: transaction ${bad.transactionId} (${bad.idempotencyKey}): ${bad.reason}`,
    );
    console.log(`${report.checked} link(s) before it verified`);
    process.exit(1);
  }
  console.log(`ledger chain intact: ${report.checked} transaction(s) verified`);
  if (report.unsealed.length > 0) {
    console.log(
      `but ${report.unsealed.length}+ transaction(s) unsealed for more than 10 s, first: ${report.unsealed.map((u) => `${u.id} (${u.idempotencyKey})`).join(', ')}`,
    );
  }
  const { summary } = report;
  if (summary.mismatches.length > 0) {
    const sums = (s) =>
      `debit ${s.debitFen ?? '-'}, credit ${s.creditFen ?? '-'}, ${s.count ?? 0} posting(s)`;
    console.log(
      `account-month summary DIFFERS from the sealed postings (first ${summary.mismatches.length}):`,
    );
    for (const m of summary.mismatches) {
      console.log(
        `  account ${m.accountId}, ${m.month}, ${m.kind}: postings ${sums(m.postings)}; summary ${sums(m.summary)}`,
      );
    }
  } else {
    console.log(`account-month summary matches the sealed postings: ${summary.rows} row(s)`);
  }
  if (!report.ok) {
    process.exit(1);
  }
} catch (error) {
  console.error(`ledger:verify could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
