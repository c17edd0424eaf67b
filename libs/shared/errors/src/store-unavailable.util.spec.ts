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
    [
      'a database not accepting connections (ALLOW_CONNECTIONS false)',
      Object.assign(new Error('database "yugong_orders" is not currently accepting connections'), {
        code: '55000',
      }),
    ],
    [
      'a full disk',
      Object.assign(new Error('could not extend file "base/16384/16402": No space left on device'), {
        code: '53100',
      }),
    ],
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
    [
      'another object in the wrong state',
      Object.assign(new Error('cannot drop the currently open database'), { code: '55000' }),
    ],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'fen')")],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not take %s for it', (_, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});
