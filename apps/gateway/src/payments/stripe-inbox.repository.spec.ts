import { GroupCommit } from '@yugong/shared/orm';
import { storedOnce, type InboxDelivery } from './stripe-inbox.repository';

/**
 * An inbox table in memory with the statement's semantics: all or nothing, a repeated event id
 * written once, each statement committed after a turn of the event loop.
 */
class MemoryInbox {
  readonly rows = new Map<string, InboxDelivery>();
  readonly statements: number[] = [];
  /** Bodies the "database" refuses (the whole statement fails). */
  readonly refused = new Set<string>();
  down = false;

  write = async (deliveries: readonly InboxDelivery[]): Promise<Set<string>> => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.down || deliveries.some((d) => this.refused.has(d.body))) {
      throw new Error('statement failed');
    }
    const ids = deliveries.map((d) => d.eventId);
    if (new Set(ids).size !== ids.length) {
      throw new Error('one statement holds an event id twice');
    }
    this.statements.push(deliveries.length);
    const stored = new Set<string>();
    for (const d of deliveries) {
      if (!this.rows.has(d.eventId)) {
        this.rows.set(d.eventId, d);
        stored.add(d.eventId);
      }
    }
    return stored;
  };
}

const delivery = (n: number, body = `{"id":"evt_${n}"}`): InboxDelivery => ({
  eventId: `evt_${n}`,
  type: 'payment_intent.succeeded',
  body,
});

// The webhook route's durable write: a group commit of the inbox's insert (as the intake builds it).
describe(storedOnce.name, () => {
  let inbox: MemoryInbox;
  let sut: GroupCommit<InboxDelivery, boolean>;

  beforeEach(() => {
    inbox = new MemoryInbox();
    sut = new GroupCommit(storedOnce(inbox.write), { maxCallsInFlight: 2, maxPerCall: 16 });
  });

  it('stores each of many concurrent deliveries once, in fewer statements, answering only once stored', async () => {
    // 60 deliveries of 20 events, each event three times, all at once.
    const sent = Array.from({ length: 60 }, (_, i) => delivery(i % 20));
    const answers = await Promise.all(
      sent.map(async (d) => {
        const fresh = await sut.write(d);
        return { fresh, storedBeforeAnswer: inbox.rows.has(d.eventId) };
      }),
    );

    expect(inbox.rows.size).toBe(20);
    expect(answers.filter((a) => a.fresh)).toHaveLength(20);
    expect(answers.every((a) => a.storedBeforeAnswer)).toBe(true);
    expect(inbox.statements.length).toBeLessThan(60);
    expect(Math.max(...inbox.statements)).toBeLessThanOrEqual(16);
  });

  it('answers a repeat of a stored event as not new and writes nothing', async () => {
    await expect(sut.write(delivery(1))).resolves.toBe(true);
    await expect(sut.write(delivery(1, 'a changed body'))).resolves.toBe(false);

    expect(inbox.rows.get('evt_1')?.body).toBe('{"id":"evt_1"}');
  });

  it('fails only the delivery the database refuses, storing the others of its statement', async () => {
    inbox.refused.add('poison');
    // The first delivery takes a statement of its own; the rest wait and go together.
    const first = sut.write(delivery(0));
    const rest = [1, 2, 3, 4].map((n) => sut.write(delivery(n, n === 3 ? 'poison' : undefined)));
    const outcomes = await Promise.allSettled([first, ...rest]);

    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect([...inbox.rows.keys()].sort()).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_4']);
  });

  it('fails every waiting delivery while the database is down, then writes again once it is back', async () => {
    inbox.down = true;
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => sut.write(delivery(n))));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(inbox.rows.size).toBe(0);

    inbox.down = false;
    await expect(sut.write(delivery(1))).resolves.toBe(true);
    expect([...inbox.rows.keys()]).toEqual(['evt_1']);
  });
});
