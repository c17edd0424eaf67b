import { Periodic, PeriodicJob } from './periodic';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(Periodic.name, () => {
  it('never runs two passes at once, keeps ticking after a failure, and stop waits for the pass in flight', async () => {
    let inFlight = 0;
    let most = 0;
    let passes = 0;
    let finished = 0;
    const sut = new Periodic(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      passes += 1;
      await sleep(25);
      inFlight -= 1;
      finished += 1;
      if (passes === 1) {
        throw new Error('first pass fails');
      }
    }, 5);
    sut.start();
    await sleep(120);
    await sut.stop();
    expect(most).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(finished).toBe(passes);
    const after = passes;
    await sleep(30);
    expect(passes).toBe(after);
  });
});

describe(PeriodicJob.name, () => {
  /** A job that records what happened, in order. */
  class RecordingJob extends PeriodicJob {
    readonly events: string[] = [];
    private inFlight = 0;
    most = 0;

    constructor(
      protected readonly intervalMs: number,
      private readonly options: { atBoot?: boolean; runs?: boolean; passMs?: number } = {},
    ) {
      super();
    }

    protected async runPass(): Promise<void> {
      this.inFlight += 1;
      this.most = Math.max(this.most, this.inFlight);
      this.events.push('pass');
      await sleep(this.options.passMs ?? 0);
      this.inFlight -= 1;
      this.events.push('passed');
    }

    protected override runs(): boolean {
      return this.options.runs ?? super.runs();
    }

    protected override passesAtBoot(): boolean {
      return this.options.atBoot ?? false;
    }

    protected override async afterLastPass(): Promise<void> {
      this.events.push('after last pass');
    }
  }

  it('passes at boot when asked, never overlapping the ticks, and ends with afterLastPass', async () => {
    const sut = new RecordingJob(10, { atBoot: true, passMs: 35 });
    sut.onApplicationBootstrap();
    expect(sut.events).toEqual(['pass']); // at once, not one interval later
    await sleep(60);
    await sut.onApplicationShutdown();
    expect(sut.most).toBe(1);
    expect(sut.events.at(-1)).toBe('after last pass');
    expect(sut.events.at(-2)).toBe('passed');
  });

  it('waits one interval for its first pass by default', async () => {
    const sut = new RecordingJob(30);
    sut.onApplicationBootstrap();
    expect(sut.events).toEqual([]);
    await sleep(45);
    await sut.onApplicationShutdown();
    expect(sut.events.slice(0, 2)).toEqual(['pass', 'passed']);
  });

  it('never runs where it does not run: no pass, no last step', async () => {
    for (const sut of [new RecordingJob(0), new RecordingJob(5, { runs: false })]) {
      sut.onApplicationBootstrap();
      await sleep(20);
      await sut.onApplicationShutdown();
      expect(sut.events).toEqual([]);
    }
  });
});
