import { createServer } from 'node:net';
import { freePort } from './free-port';

describe(freePort.name, () => {
  it('returns a port that can be listened on', async () => {
    const sut = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sut, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(sut).toBeGreaterThan(0);
  });
});
