import { errorCodes } from 'fastify';

import { DomainError } from './domain.errors';
import { toHttpError } from './http-error.filter';

class LedgerCorrupted extends DomainError {
  readonly kind = 'internal';

  constructor() {
    super('LEDGER_CORRUPTED', 'hash chain broken at tx 991');
  }
}

describe(toHttpError.name, () => {
  const sut = toHttpError;

  it.each([
    [new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), 413, 'PAYLOAD_TOO_LARGE', 'body'],
    [new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), 400, 'MALFORMED_JSON', 'body'],
    [new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), 400, 'MALFORMED_JSON', 'body'],
    [new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), 415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type'],
    [new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), 400, 'BAD_REQUEST', undefined],
  ])('maps a raw Fastify error %p to %p %p naming %p', (error, status, code, field) => {
    const fields = field ? { fields: [{ field, reason: error.message }] } : {};
    expect(sut(error)).toEqual({ status, body: { error: code, message: error.message, ...fields } });
  });

  it("answers the gateway's own database out of reach with 503, leaking nothing", () => {
    const lost = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });
    expect(sut(lost)).toEqual({
      status: 503,
      body: { error: 'UNAVAILABLE', message: 'gateway database unavailable' },
    });
  });

  it('hides the message of a domain error of kind internal', () => {
    expect(sut(new LedgerCorrupted())).toEqual({
      status: 500,
      body: { error: 'INTERNAL', message: 'Internal error' },
    });
  });

  it.each([
    undefined,
    null,
    'text',
    { statusCode: 400, code: 'FST_X' },
    Object.assign(new Error('x'), { statusCode: 400 }),
  ])('answers the unknown %p with 500 INTERNAL', (thrown) => {
    expect(sut(thrown)).toEqual({ status: 500, body: { error: 'INTERNAL', message: 'Internal error' } });
  });
});
