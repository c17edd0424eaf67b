/**
 * Polls `probe` until it gives a value other than undefined, and returns it.
 *
 * @param probe - what to ask, again every `everyMs`
 * @param timeoutMs - how long to keep asking
 * @param what - named in the error when time runs out
 * @throws Error when `timeoutMs` passed without a value
 */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what = 'the condition',
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A permutation of `items` fixed by `seed`: the same on every run, so a failure can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
