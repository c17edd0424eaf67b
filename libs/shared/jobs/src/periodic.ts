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

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) {
        return;
      }
      this.busy = true;
      this.running = this.pass()
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
