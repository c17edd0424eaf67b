// Builds and starts the platform once for every browser test (plain ES module: it imports the
// launcher's own modules). The tests get its URL as WEB_BASE_URL and the demo password as
// WEB_DEMO_PASSWORD.
import { build } from '../../../../tools/runtime/build.mjs';
import { DEMO_PASSWORD, startPlatform } from './platform.mjs';

export default async function globalSetup() {
  await build({ log: (line) => console.log(`[web] ${line}`) });
  const started = Date.now();
  const lines = [];
  const platform = await startPlatform({ log: (line) => lines.push(line) }).catch((error) => {
    console.log(lines.slice(-40).join('\n'));
    throw error;
  });
  console.log(
    `[web] platform ready at ${platform.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.env.WEB_BASE_URL = platform.baseUrl;
  process.env.WEB_DEMO_PASSWORD = DEMO_PASSWORD;
  return async () => {
    await platform.stop();
    const errors = lines.filter((line) => /"level":(50|60)/.test(line));
    if (errors.length > 0) {
      console.log(`[web] service errors logged during the run:\n${errors.slice(0, 20).join('\n')}`);
    }
  };
}
