import { Periodic } from './periodic';

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
