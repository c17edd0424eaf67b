#!/usr/bin/env node
// `npm run build`: compiles apps/ and libs/ with SWC (root .swcrc: CommonJS, decorator metadata,
// path aliases rewritten, specs and test/ excluded) into dist/, and copies proto/ to dist/proto.
// Entry points land at dist/apps/<svc>/src/main.js. `--app <svc>` (each app's Nx `build` target)
// compiles that app and libs/ only, leaving the other apps' output in place.
// The web app (apps/web, a Vite SPA) is built by Vite into dist/apps/web, only when one of its
// sources is newer than its last build (`--app web` always builds it).
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
 * The newest modification time (ms) of `dir` (a folder or a file) and anything under it, 0 when it
 * is not there. Folders count too: deleting or renaming a file changes its folder's time.
 */
function newestMtime(dir) {
  if (!fs.existsSync(dir)) {
    return 0;
  }
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() || entry.isDirectory()) {
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Written into dist/ after a full build of the services; its time is when that build began. */
const STAMP = '.services-built';

/** The inputs of the services' build: their sources, libs/, proto/ and the compiler's settings. */
function newestServiceSource(root, apps) {
  return Math.max(
    ...[...apps, 'libs', 'proto', '.swcrc', 'tsconfig.base.json', 'package-lock.json'].map((input) =>
      newestMtime(path.join(root, input)),
    ),
  );
}

/**
 * Builds the web app with Vite into dist/apps/web, unless `force` is false and the build there is
 * newer than every source of it. Returns the time it took in ms (0 when it was current).
 * `brotliQuality` (0–11) sets how hard its assets are precompressed; Vite's config uses 11 without it.
 * @param {{ root?: string, force?: boolean, brotliQuality?: number, log?: (line: string) => void }} [options]
 */
export async function buildWeb({
  root = ROOT,
  force = true,
  brotliQuality,
  log = (line) => console.log(line),
} = {}) {
  const web = path.join(root, 'apps', 'web');
  const index = path.join(root, 'dist', 'apps', 'web', 'index.html');
  if (!fs.existsSync(web)) {
    return 0;
  }
  const sourcesChanged = () =>
    Math.max(
      newestMtime(path.join(web, 'src')),
      newestMtime(path.join(web, 'public')),
      ...['index.html', 'vite.config.mts'].map((file) => fs.statSync(path.join(web, file)).mtimeMs),
    ) > fs.statSync(index).mtimeMs;
  if (!force && fs.existsSync(index) && !sourcesChanged()) {
    log('build: apps/web is current (dist/apps/web)');
    return 0;
  }
  const started = Date.now();
  const vite = path.join(
    path.dirname(require.resolve('vite/package.json', { paths: [root] })),
    'bin',
    'vite.js',
  );
  await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', path.join(web, 'vite.config.mts'), '--logLevel', 'warn'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env:
          brotliQuality === undefined
            ? process.env
            : { ...process.env, YUGONG_WEB_BROTLI_QUALITY: String(brotliQuality) },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`vite build failed (${signal ?? `exit ${code}`}):\n${output.trim()}`)),
    );
  });
  const elapsed = Date.now() - started;
  log(`build: apps/web → dist/apps/web in ${(elapsed / 1000).toFixed(1)} s`);
  return elapsed;
}

/**
 * Builds the workspace (or one app and libs/) into `dist/`. Returns the time it took in ms.
 * `web: false` leaves the web app to the caller (`npm start` builds it while the services boot).
 * A full build is skipped when nothing it reads changed since the last one (`force` builds anyway):
 * then `npm start` starts sooner, and a run that finds dist/ current never rewrites files that
 * another run (a test, `npm start`) is executing from.
 * @param {{ root?: string, app?: string, web?: boolean, force?: boolean, log?: (line: string) => void }} [options]
 */
export async function build({
  root = ROOT,
  app,
  web = true,
  force = false,
  log = (line) => console.log(line),
} = {}) {
  if (app === 'web') {
    return buildWeb({ root, force: true, log });
  }
  const started = Date.now();
  const dist = path.join(root, 'dist');
  const apps = app
    ? [`apps/${app}`]
    : fs.existsSync(path.join(root, 'apps'))
      ? fs
          .readdirSync(path.join(root, 'apps'))
          .filter((name) => name !== 'web')
          .map((name) => `apps/${name}`)
      : [];
  const sources = [...apps, 'libs'].filter((dir) => fs.existsSync(path.join(root, dir)));
  if (app && !sources.includes(`apps/${app}`)) {
    throw new Error(`no app named ${app} under apps/`);
  }
  if (sources.length === 0) {
    throw new Error('nothing to build: no apps/ or libs/ folder');
  }
  const stamp = path.join(dist, STAMP);
  if (!app) {
    if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > newestServiceSource(root, apps)) {
      log(`build: ${sources.join(' + ')} are current (dist/)`);
      if (web) {
        await buildWeb({ root, force: false, log });
      }
      return Date.now() - started;
    }
    fs.rmSync(stamp, { force: true });
  }
  // Start clean so that a deleted source leaves no stale module behind (the web app's build is
  // Vite's, which cleans its own folder).
  const stale = app
    ? sources.map((dir) => path.join(dist, dir))
    : fs.existsSync(dist)
      ? fs
          .readdirSync(dist)
          .filter((name) => name !== 'apps')
          .map((name) => path.join(dist, name))
          .concat(
            fs.existsSync(path.join(dist, 'apps'))
              ? fs
                  .readdirSync(path.join(dist, 'apps'))
                  .filter((name) => name !== 'web')
                  .map((name) => path.join(dist, 'apps', name))
              : [],
          )
      : [];
  for (const target of stale) {
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
  if (!app) {
    // Dated when the build began: a source saved while it ran makes the next run build again.
    fs.writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
    fs.utimesSync(stamp, new Date(started), new Date(started));
  }
  log(`build: ${sources.join(' + ')} → dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!app && web) {
    await buildWeb({ root, force: false, log });
  }
  return Date.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--app');
  const app = at > 0 ? process.argv[at + 1] : undefined;
  build({ app, force: process.argv.includes('--force') }).catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
