#!/usr/bin/env node
// `npm run build`: compiles apps/ and libs/ with SWC (root .swcrc: CommonJS, decorator metadata,
// path aliases rewritten, specs and test/ excluded) into dist/, and copies proto/ to dist/proto.
// Entry points land at dist/apps/<svc>/src/main.js. `--app <svc>` (each app's Nx `build` target)
// compiles that app and libs/ only, leaving the other apps' output in place.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** Runs the SWC CLI in a child process; rejects with its output when it fails. */
function swc(args, cwd) {
  const cli = path.join(path.dirname(require.resolve('@swc/cli/package.json')), 'bin', 'swc.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`swc failed (${signal ?? `exit ${code}`}):\n${output.trim()}`)),
    );
  });
}

/**
 * Builds the workspace (or one app and libs/) into `dist/`. Returns the time it took in ms.
 * @param {{ root?: string, app?: string, log?: (line: string) => void }} [options]
 */
export async function build({ root = ROOT, app, log = (line) => console.log(line) } = {}) {
  const started = Date.now();
  const dist = path.join(root, 'dist');
  const sources = (app ? [`apps/${app}`, 'libs'] : ['apps', 'libs']).filter((dir) =>
    fs.existsSync(path.join(root, dir)),
  );
  if (app && !sources.includes(`apps/${app}`)) {
    throw new Error(`no app named ${app} under apps/`);
  }
  if (sources.length === 0) {
    throw new Error('nothing to build: no apps/ or libs/ folder');
  }
  // Start clean so that a deleted source leaves no stale module behind.
  for (const target of app ? sources.map((dir) => path.join(dist, dir)) : [dist]) {
    fs.rmSync(target, { recursive: true, force: true });
  }
  const output = await swc([...sources, '-d', 'dist', '--quiet'], root);
  if (output.trim()) {
    log(output.trim());
  }
  const proto = path.join(root, 'proto');
  if (fs.existsSync(proto)) {
    fs.cpSync(proto, path.join(dist, 'proto'), { recursive: true });
  }
  const elapsed = Date.now() - started;
  log(`build: ${sources.join(' + ')} → dist/ in ${(elapsed / 1000).toFixed(1)} s`);
  return elapsed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--app');
  build({ app: at > 0 ? process.argv[at + 1] : undefined }).catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
