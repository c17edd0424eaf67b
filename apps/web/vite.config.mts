import react from '@vitejs/plugin-react';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../../dist/apps/web');

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/**
 * Brotli's quality: 11, its smallest, for a build that ships (`npm run build`, the image), where
 * its time does not matter. `npm start` builds on first run with `YUGONG_WEB_BROTLI_QUALITY=8`
 * (tools/runtime/build.mjs), which a cold start waits for: measured on this app's 87 assets
 * (2.1 MB), quality 11 took 2.6 s of CPU for 637 KB, 10 took 1.1 s for 648 KB, 8 took 0.08 s for
 * 687 KB.
 */
const BROTLI_QUALITY = Number(process.env.YUGONG_WEB_BROTLI_QUALITY ?? zlib.constants.BROTLI_MAX_QUALITY);

/**
 * Writes a gzip and a brotli copy beside every text asset, which the gateway serves as they are.
 * Compressed on libuv's threads, all files at once.
 */
function precompress(): Plugin {
  return {
    name: 'yugong-precompress',
    apply: 'build',
    async closeBundle() {
      const files = fs
        .readdirSync(outDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && /\.(js|css|html|svg|json)$/.test(entry.name))
        .map((entry) => path.join(entry.parentPath, entry.name));
      await Promise.all(
        files.map(async (file) => {
          const bytes = await fs.promises.readFile(file);
          const [gz, br] = await Promise.all([
            gzip(bytes, { level: 9 }),
            brotli(bytes, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              },
            }),
          ]);
          await Promise.all([
            fs.promises.writeFile(`${file}.gz`, gz),
            fs.promises.writeFile(`${file}.br`, br),
          ]);
        }),
      );
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
