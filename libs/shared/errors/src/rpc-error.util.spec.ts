import { Metadata, status } from '@grpc/grpc-js';
import fc from 'fast-check';

import { FailedPrecondition, NotFound, ValidationFailed } from './domain.errors';
import {
  ERROR_FIELDS_METADATA_KEY,
  fromRpcError,
  namePeerUnavailable,
  nameUnavailable,
  toRpcError,
  type RpcErrorPayload,
} from './rpc-error.util';

/** What a grpc-js client would receive for a payload the server sent. */
function received(payload: { code: number; details: string; metadata: Metadata }): Error {
  return Object.assign(new Error(`${payload.code} ${status[payload.code]}: ${payload.details}`), payload);
}

describe(toRpcError.name, () => {
  const sut = toRpcError;

  it('carries the status, message, code and fields of a domain error', () => {
    const fields = [{ field: 'price.fen', reason: 'must be an integer' }];

    const payload = sut(new ValidationFailed(fields, 'bad product'));

    expect(payload.code).toBe(status.INVALID_ARGUMENT);
    expect(payload.message).toBe('bad product');
    expect(payload.details).toBe('bad product');
    expect(payload.metadata.get('x-error-code')).toEqual(['VALIDATION_FAILED']);
    expect(JSON.parse(payload.metadata.get('x-error-fields')[0] as string)).toEqual(fields);
  });

  it('sends no fields header when there are no fields', () => {
    expect(sut(new NotFound('product', 'p-1')).metadata.get('x-error-fields')).toEqual([]);
  });

  it.each([new Error('password=hunter2 at db.internal:5432'), 'a string', null, { code: 5 }])(
    'turns the unknown %p into INTERNAL without leaking it',
    (thrown) => {
      const payload = sut(thrown);

      expect(payload.code).toBe(status.INTERNAL);
      expect(payload.message).toBe('Internal error');
      expect(JSON.stringify(payload.metadata.getMap())).not.toMatch(/hunter2/);
      expect(payload.metadata.get('x-error-code')).toEqual(['INTERNAL']);
    },
  );

  it('answers a lost database connection with UNAVAILABLE, leaking nothing', () => {
    const payload = sut(
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }),
    );

    expect(payload.code).toBe(status.UNAVAILABLE);
    expect(payload.message).toBe('database unavailable');
    expect(payload.metadata.get('x-unavailable')).toEqual(['database']);
    expect(JSON.stringify(payload)).not.toMatch(/10\.0\.0\.7/);
    // As the server of `orders` sends it.
    const named = nameUnavailable(payload, 'orders') as RpcErrorPayload;
    expect(named).toMatchObject({ code: status.UNAVAILABLE, message: 'orders database unavailable' });
    expect(named.details).toBe('orders database unavailable');
    expect(named.metadata.get('x-unavailable')).toEqual(['orders database']);
  });

  it('names Redis out of reach as the cache', () => {
    const payload = sut(Object.assign(new Error('lost'), { name: 'MaxRetriesPerRequestError' }));
    expect(nameUnavailable(payload, 'catalog')).toMatchObject({ message: 'catalog cache unavailable' });
  });

  it('leaves every other error as the server sends it', () => {
    const notFound = sut(new NotFound('product', 'p-1'));
    expect(nameUnavailable(notFound, 'orders')).toBe(notFound);
  });

  it('names a callee that gave no answer of its own, and passes on what a callee named', () => {
    // grpc-js's own error for a refused connection: no trailers from the service.
    const refused = received({
      code: status.UNAVAILABLE,
      details: 'No connection established. Last error: connect ECONNREFUSED 10.0.0.7:50053',
      metadata: new Metadata(),
    });
    const viaOrders = sut(namePeerUnavailable(refused, 'catalog'));
    expect(viaOrders.message).toBe('catalog service unavailable');
    expect(JSON.stringify(viaOrders)).not.toMatch(/10\.0\.0\.7/);
    // A callee's own answer is not renamed by its caller.
    const answered = namePeerUnavailable(received(viaOrders), 'orders');
    expect(fromRpcError(answered)).toMatchObject({ unavailable: 'catalog service' });
  });

  it('refuses a name that is not a service and a store, leaking nothing', () => {
    const metadata = new Metadata();
    metadata.set('x-unavailable', 'postgres://u:p@10.0.0.7/db');
    const payload = sut(received({ code: status.UNAVAILABLE, details: 'x', metadata }));
    expect(payload.message).toBe('Service unavailable');
    expect(JSON.stringify(payload)).not.toMatch(/10\.0\.0\.7/);
  });

  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED])(
    'passes on status %p of a service it called, without its message',
    (code) => {
      const upstream = received({ code, details: 'catalog at 10.0.0.7 down', metadata: new Metadata() });

      const payload = sut(upstream);

      expect(payload.code).toBe(code);
      expect(payload.message).toBe('Service unavailable');
    },
  );

  it('does not pass on other statuses of a service it called', () => {
    const upstream = received({ code: status.NOT_FOUND, details: 'x', metadata: new Metadata() });

    expect(sut(upstream).code).toBe(status.INTERNAL);
  });

  it('escapes non-ASCII reasons so they are legal metadata values', () => {
    const fields = [{ field: 'name.zh', reason: '不能为空' }];

    const payload = sut(new ValidationFailed(fields));

    expect(payload.metadata.get(ERROR_FIELDS_METADATA_KEY)[0]).toMatch(/^[ -~]*$/);
    expect(fromRpcError(received(payload))?.fields).toEqual(fields);
  });

  it('keeps the fields header within the metadata budget', () => {
    const fields = Array.from({ length: 500 }, (_, i) => ({
      field: `lines.${i}.quantity`,
      reason: 'must be positive',
    }));

    const json = sut(new ValidationFailed(fields)).metadata.get(ERROR_FIELDS_METADATA_KEY)[0] as string;

    expect(json.length).toBeLessThanOrEqual(4096);
    expect(JSON.parse(json)[0]).toEqual(fields[0]);
  });
});

describe(fromRpcError.name, () => {
  const sut = fromRpcError;

  it('reads status, code, message and fields back', () => {
    const fields = [{ field: 'lotId', reason: 'is sold out' }];
    const err = received(toRpcError(new FailedPrecondition('INSUFFICIENT_STOCK', 'only 2 left', fields)));

    expect(sut(err)).toEqual({
      status: status.FAILED_PRECONDITION,
      code: 'INSUFFICIENT_STOCK',
      message: 'only 2 left',
      fields,
    });
  });

  it('names the status when the server sent no code (e.g. a client-side UNAVAILABLE)', () => {
    const err = received({
      code: status.UNAVAILABLE,
      details: 'No connection established',
      metadata: new Metadata(),
    });

    expect(sut(err)).toEqual({
      status: status.UNAVAILABLE,
      code: 'UNAVAILABLE',
      message: 'No connection established',
    });
  });

  it('ignores a malformed fields header', () => {
    const metadata = new Metadata();
    metadata.set('x-error-fields', '[{"field":1}]');

    expect(sut(received({ code: status.INVALID_ARGUMENT, details: 'x', metadata }))?.fields).toBeUndefined();
    metadata.set('x-error-fields', 'not json');
    expect(sut(received({ code: status.INVALID_ARGUMENT, details: 'x', metadata }))?.fields).toBeUndefined();
  });

  it.each([
    undefined,
    null,
    'NOT_FOUND',
    new Error('plain'),
    Object.assign(new Error('node'), { code: 'ECONNREFUSED' }),
    { code: 5, details: 'no metadata' },
    { code: 99, details: 'x', metadata: new Metadata() },
  ])('returns undefined for the non-gRPC error %p', (err) => {
    expect(sut(err)).toBeUndefined();
  });

  it('round-trips any domain error through the wire format', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ field: text, reason: text }), { minLength: 1, maxLength: 5 }),
        text,
        (fields, message) => {
          const info = sut(received(toRpcError(new ValidationFailed(fields, message))));
          expect(info).toEqual({
            status: status.INVALID_ARGUMENT,
            code: 'VALIDATION_FAILED',
            message,
            fields,
          });
        },
      ),
    );
  });
});
