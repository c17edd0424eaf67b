import { GroupCommit } from './group-commit.util';

describe(GroupCommit.name, () => {
  it('writes items arriving while a call is in flight together in the next call, answering each its own', async () => {
    const calls: number[][] = [];
    const sut = new GroupCommit<number, number>(
      async (items) => {
        calls.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((n) => n * 10);
      },
      { maxPerCall: 3, maxCallsInFlight: 1 },
    );

    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => sut.write(n)));

    expect(answers).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(calls).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
  });

  it('fails only the item that fails alone when a call of several fails', async () => {
    const sut = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(2)) {
          throw new Error('bad item 2');
        }
        return items;
      },
      { maxPerCall: 10, maxCallsInFlight: 1 },
    );

    const answers = await Promise.allSettled([1, 2, 3].map((n) => sut.write(n)));

    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((answers[1] as PromiseRejectedResult).reason).toEqual(new Error('bad item 2'));
  });
});
