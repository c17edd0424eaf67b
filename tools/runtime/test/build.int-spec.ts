// The services' build into dist/ is skipped when nothing it reads changed, so that `npm test` can
// build once and let the browser tests and `npm start`'s own test run beside each other without
// either rewriting files the other is executing. A change, a new file or a deleted one builds again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../build.mjs';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('build', () => {
  let root: string;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const out = (file: string) => path.join(root, 'dist', file);

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'yugong-build-'));
    fs.copyFileSync(path.join(ROOT, '.swcrc'), path.join(root, '.swcrc'));
    write('apps/alpha/src/main.ts', 'export const alpha: number = 1;\n');
    write('libs/one/src/index.ts', 'export const one: number = 1;\n');
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('builds once, then finds dist/ current and leaves its files alone', async () => {
    await build({ root, web: false, log });
    expect(lines.at(-1)).toMatch(/^build: apps\/alpha \+ libs → dist\/ in /);
    expect(fs.readFileSync(out('apps/alpha/src/main.js'), 'utf8')).toContain('alpha = 1');
    const built = fs.statSync(out('apps/alpha/src/main.js'));

    await build({ root, web: false, log });
    expect(lines.at(-1)).toBe('build: apps/alpha + libs are current (dist/)');
    const again = fs.statSync(out('apps/alpha/src/main.js'));
    expect(again.ino).toBe(built.ino);
    expect(again.mtimeMs).toBe(built.mtimeMs);
  });

  it('builds again when a source changed, and when asked to', async () => {
    write('libs/one/src/index.ts', 'export const one: number = 2;\n');
    await build({ root, web: false, log });
    expect(lines.at(-1)).toMatch(/→ dist\/ in /);
    expect(fs.readFileSync(out('libs/one/src/index.js'), 'utf8')).toContain('one = 2');

    await build({ root, web: false, log, force: true });
    expect(lines.at(-1)).toMatch(/→ dist\/ in /);
  });

  it('builds again when a source is deleted, leaving no stale module behind', async () => {
    write('apps/alpha/src/extra.ts', 'export const extra = 1;\n');
    await build({ root, web: false, log });
    expect(fs.existsSync(out('apps/alpha/src/extra.js'))).toBe(true);

    fs.rmSync(path.join(root, 'apps/alpha/src/extra.ts'));
    await build({ root, web: false, log });
    expect(lines.at(-1)).toMatch(/→ dist\/ in /);
    expect(fs.existsSync(out('apps/alpha/src/extra.js'))).toBe(false);
  });
});
