#!/usr/bin/env node
// `npm run register:import -- file.csv --purpose "…" [--partial] [--dry-run]
//   [--url http://localhost:3000] [--email officer@example.com] [--password …]`
//
// Imports a register file (households and their benefit agreements, CSV with a header line; see
// docs/register-import-sample.csv) through the gateway: logs in as a relief officer, streams the
// file to POST /api/v1/households/import as multipart/form-data with a progress bar, and prints
// the report. All or nothing unless --partial; --dry-run validates and writes nothing. --purpose
// (required) says why the file is imported: every household the file matches by national ID is
// recorded in the access log with it, dry runs included.
//
// The password comes from --password, else YUGONG_PASSWORD, else DEMO_PASSWORD, else the demo
// default. Exit codes: 0 imported with no bad row; 1 rows were rejected; 2 the import did not run.
import cliProgress from 'cli-progress';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: npm run register:import -- file.csv --purpose "why" [--partial] [--dry-run] [--url http://localhost:3000] [--email officer@example.com] [--password …]';
const MAX_REJECTIONS_SHOWN = 200;

class UsageError extends Error {}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        partial: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        purpose: { type: 'string' },
        url: { type: 'string', default: process.env.YUGONG_URL ?? 'http://localhost:3000' },
        email: { type: 'string', default: process.env.YUGONG_EMAIL ?? 'officer@example.com' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) {
    throw new UsageError('name one CSV file');
  }
  if (!values.purpose?.trim()) {
    throw new UsageError('--purpose is required: say why the file is imported (recorded in the access log)');
  }
  let base;
  try {
    base = new URL(values.url);
  } catch {
    throw new UsageError(`--url is not a URL: ${values.url}`);
  }
  return {
    file: positionals[0],
    partial: values.partial,
    dryRun: values['dry-run'],
    purpose: values.purpose.trim(),
    base,
    email: values.email,
    password:
      values.password ?? process.env.YUGONG_PASSWORD ?? process.env.DEMO_PASSWORD ?? 'yugong-demo-2020',
  };
}

/** One HTTP request; `body` is a Buffer, or a function that writes a stream to the request. */
function send(url, { method, headers, body }) {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'function') {
      // The server may answer before the upload ends (a refused header line): keep its answer.
      body(req).catch((error) => req.destroy(error));
    } else {
      req.end(body);
    }
  });
}

function describeError(response) {
  const body = response.json;
  if (!body?.error) {
    return `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
  }
  const fields = (body.fields ?? []).map((f) => `\n  ${f.field}: ${f.reason}`).join('');
  return `HTTP ${response.status} ${body.error}: ${body.message}${fields}`;
}

async function login(base, email, password) {
  const response = await send(new URL('/api/v1/auth/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ email, password })),
  });
  if (response.status !== 200 || !response.json?.accessToken) {
    throw new Error(`login as ${email} failed: ${describeError(response)}`);
  }
  return response.json.accessToken;
}

const mib = (bytes) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

async function upload(opts, token) {
  const size = fs.statSync(opts.file).size;
  const boundary = `----yugong-register-${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const filename = path.basename(opts.file).replace(/["\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: text/csv\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL('/api/v1/households/import', opts.base);
  url.searchParams.set('partial', String(opts.partial));
  url.searchParams.set('dryRun', String(opts.dryRun));
  url.searchParams.set('purpose', opts.purpose);

  const bar = new cliProgress.SingleBar(
    {
      format: 'uploading |{bar}| {percentage}% | {sent} of {size} | {rows} rows sent',
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let sent = 0;
  let lines = 0;
  let last = 0;
  bar.start(size, 0, { sent: mib(0), size: mib(size), rows: 0 });
  const counter = new Transform({
    transform(chunk, _encoding, done) {
      sent += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        lines++;
      }
      bar.update(sent, { sent: mib(sent), rows: Math.max(0, lines - 1) });
      last = chunk[chunk.length - 1];
      done(null, chunk);
    },
  });
  try {
    const response = await send(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
      },
      body: async (req) => {
        req.write(head);
        await pipeline(fs.createReadStream(opts.file), counter, req, { end: false });
        req.end(tail);
      },
    });
    // A last line without a line break is a row too.
    const rows = Math.max(0, lines - 1 + (sent > 0 && last !== 10 ? 1 : 0));
    bar.update(sent, { sent: mib(sent), rows });
    return response;
  } finally {
    bar.stop();
  }
}

function printReport(report, opts) {
  const mode = opts.dryRun ? 'dry run' : opts.partial ? 'partial' : 'all or nothing';
  console.log(
    `${report.rowsRead} rows read (${mode}): ${report.householdsCreated} created, ` +
      `${report.householdsUpdated} updated, ${report.agreementsCreated} agreements created, ` +
      `${report.rejected.length} rejections`,
  );
  if (report.rejected.length > 0) {
    const lineWidth = String(Math.max(...report.rejected.map((r) => r.line))).length;
    const fieldWidth = Math.max(...report.rejected.map((r) => r.field.length));
    console.log('\nbad rows:');
    for (const r of report.rejected.slice(0, MAX_REJECTIONS_SHOWN)) {
      console.log(`  line ${String(r.line).padEnd(lineWidth)}  ${r.field.padEnd(fieldWidth)}  ${r.reason}`);
    }
    if (report.rejected.length > MAX_REJECTIONS_SHOWN) {
      console.log(`  … and ${report.rejected.length - MAX_REJECTIONS_SHOWN} more`);
    }
    console.log('');
  }
  if (report.committed) {
    console.log(opts.partial && report.rejected.length > 0 ? 'committed the good rows' : 'committed');
  } else if (opts.dryRun) {
    console.log('dry run: nothing written');
  } else {
    console.log('nothing written: fix the bad rows and import again, or use --partial');
  }
}

async function main() {
  const opts = options();
  if (!fs.existsSync(opts.file) || !fs.statSync(opts.file).isFile()) {
    throw new UsageError(`no such file: ${opts.file}`);
  }
  const token = await login(opts.base, opts.email, opts.password);
  const response = await upload(opts, token);
  if (response.status !== 200 || !response.json) {
    throw new Error(`import refused: ${describeError(response)}`);
  }
  printReport(response.json, opts);
  return response.json.rejected.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message);
    process.exit(2);
  },
);
