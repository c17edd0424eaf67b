import { bootOrExit, type BootIo } from './boot.util';
import { ConfigError } from './config.errors';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeIo(): BootIo & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    writeError: (text) => written.push(text),
    exit: (code) => {
      throw new Exited(code);
    },
  };
}

describe(bootOrExit.name, () => {
  const sut = bootOrExit;

  it('returns what the boot function returns', async () => {
    await expect(sut(async () => 'started', fakeIo())).resolves.toBe('started');
  });

  it('prints a ConfigError naming the variable and exits 1', async () => {
    const io = fakeIo();

    await expect(
      sut(() => {
        throw new ConfigError([{ name: 'DATABASE_URL', reason: 'is missing' }]);
      }, io),
    ).rejects.toEqual(new Exited(1));
    expect(io.written.join('')).toBe('Invalid configuration (1 problem):\n  - DATABASE_URL: is missing\n');
  });

  it('rethrows any other error untouched', async () => {
    const io = fakeIo();
    const boom = new Error('port in use');

    await expect(sut(() => Promise.reject(boom), io)).rejects.toBe(boom);
    expect(io.written).toEqual([]);
  });
});
