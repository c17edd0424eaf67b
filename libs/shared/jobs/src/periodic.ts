import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * Runs `pass` every `intervalMs`, never two passes at once (a tick that finds one still running
 * is skipped), on a timer that does not keep the process alive. `stop()` waits for the pass in
 * flight. A pass is expected to log its own failures; a rejection is swallowed so that the next
 * tick still runs.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  /** Starts ticking; with `now`, the first pass runs at once rather than one interval later. */
  start({ now = false }: { now?: boolean } = {}): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    if (now) {
      this.tick();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.running = this.pass()
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
      });
  }
}

/**
 * A Nest provider that runs {@link PeriodicJob.runPass} every {@link PeriodicJob.intervalMs} from the
 * app's bootstrap to its shutdown (a {@link Periodic}: one pass at a time; shutdown waits for the
 * pass in flight). A subclass says how often, what one pass does (logging its own failures), and,
 * where it must, whether this deployment runs it, whether the first pass comes at boot, and what
 * follows the last pass.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private periodic: Periodic | undefined;

  /** Between two passes, ms. */
  protected abstract readonly intervalMs: number;

  /** One pass. */
  protected abstract runPass(): Promise<unknown>;

  /** Whether this deployment runs the job at all; by default, when the interval is positive. */
  protected runs(): boolean {
    return this.intervalMs > 0;
  }

  /** The first pass at boot, rather than one interval after it. */
  protected passesAtBoot(): boolean {
    return false;
  }

  /** Runs once the last pass is over, when the app stops (a last flush). */
  protected async afterLastPass(): Promise<void> {}

  onApplicationBootstrap(): void {
    if (!this.runs()) {
      return;
    }
    this.periodic = new Periodic(() => this.runPass(), this.intervalMs);
    this.periodic.start({ now: this.passesAtBoot() });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.periodic) {
      return;
    }
    await this.periodic.stop();
    await this.afterLastPass();
  }
}
