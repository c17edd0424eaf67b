import { Client } from 'pg';
import type { Response } from 'supertest';

/**
 * Waits until orders' outbox holds no undelivered event (every event handed to the ledger), or
 * `withinMs` has passed, and answers how many are still undelivered: a test expects 0, so that
 * the balances it then compares move only by what it does.
 */
export async function undeliveredOrderEvents(ordersDatabaseUrl: string, withinMs: number): Promise<number> {
  const orders = new Client({ connectionString: ordersDatabaseUrl });
  await orders.connect();
  try {
    let pending = -1;
    for (const until = Date.now() + withinMs; pending !== 0 && Date.now() < until;) {
      const { rows } = await orders.query<{ n: string }>(
        'select count(*) as n from outbox_event where delivered_at is null',
      );
      pending = Number(rows[0]!.n);
      if (pending > 0) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    return pending;
  } finally {
    await orders.end();
  }
}

/** A supertest parser that keeps a body (a CSV file, say) as the text it is. */
export function asText(res: Response, done: (error: Error | null, body: string) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
}
