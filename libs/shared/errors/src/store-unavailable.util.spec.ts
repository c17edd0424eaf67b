import { Client } from 'pg';
import { freePort } from '@yugong/shared/testing';
import { isStoreUnavailable } from './store-unavailable.util';

describe(isStoreUnavailable.name, () => {
  it('knows a refused connection, from a real client to a closed port', async () => {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/none` });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ['a server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    [
      'a server starting up',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    ['a connection exception', Object.assign(new Error('x'), { code: '08006' })],
    ['a connection ended mid-query', new Error('Connection terminated unexpectedly')],
    ['a commit cut off, as MikroORM words it', new Error('COMMIT; - Connection terminated unexpectedly')],
    [
      'Redis gone',
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['Redis closed', new Error('Connection is closed.')],
    [
      'a transaction whose connection was lost',
      new Error('Transaction query already complete, run with DEBUG=knex:tx'),
    ],
    ['an empty pool', new Error('Knex: Timeout acquiring a connection. The pool is probably full.')],
    [
      'one wrapped by the ORM',
      Object.assign(new Error('wrapped'), {
        previous: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
      }),
    ],
    ['one as a cause', new Error('outer', { cause: Object.assign(new Error('x'), { code: '57P01' }) })],
  ])('knows %s', (_, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a check violation', Object.assign(new Error('violates check constraint'), { code: '23514' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'fen')")],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not take %s for it', (_, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});
