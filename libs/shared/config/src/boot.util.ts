import { ConfigError } from './config.errors';

/** Where {@link bootOrExit} reports and how it stops; replaceable in tests. */
export interface BootIo {
  /** Writes the message of a {@link ConfigError}. */
  writeError(text: string): void;
  /** Ends the process with the given exit code. */
  exit(code: number): never;
}

const PROCESS_IO: BootIo = {
  writeError: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Runs an app's boot function; when it throws a {@link ConfigError}, prints the message (which
 * names every bad variable) to stderr and exits with code 1 instead of a stack trace. Any other
 * error is rethrown unchanged.
 *
 * @example `void bootOrExit(async () => { const config = loadConfig(GatewayConfig); ... })`
 * @param boot - loads the config and starts the app
 * @param io - stderr and exit, replaceable in tests
 * @returns what `boot` returned
 */
export async function bootOrExit<T>(boot: () => T | Promise<T>, io: BootIo = PROCESS_IO): Promise<T> {
  try {
    return await boot();
  } catch (err) {
    if (err instanceof ConfigError) {
      io.writeError(`${err.message}\n`);
      return io.exit(1);
    }
    throw err;
  }
}
