import { canonicalForm, chainHash, GENESIS_HASH, type SealableTransaction } from './chain-hash.util';

const tx: SealableTransaction = {
  id: '6d1f1b9e-0000-4000-8000-000000000001',
  idempotencyKey: 'order:1:paid',
  kind: 'sale',
  occurredAt: '2020-05-16T02:00:00.000000Z',
  sourceEventId: null,
  orderId: null,
  memo: 'sale',
  reversesId: null,
  postings: [
    {
      accountCode: 'producer:p:payable',
      currency: 'CNY',
      side: 'credit',
      fen: 700,
      role: 'producer',
      lineId: 'l',
      productId: 'p',
      producerId: 'p',
      lotId: null,
    },
    {
      accountCode: 'clearing:manual',
      currency: 'CNY',
      side: 'debit',
      fen: 1000,
      role: 'clearing',
      lineId: null,
      productId: null,
      producerId: null,
      lotId: null,
    },
    {
      accountCode: 'household:h:benefit',
      currency: 'CNY',
      side: 'credit',
      fen: 300,
      role: 'household',
      lineId: 'l',
      productId: 'p',
      producerId: 'p',
      lotId: 'lot',
    },
  ],
};

describe('chainHash', () => {
  it('does not depend on the order postings are listed in', () => {
    const shuffled = { ...tx, postings: [...tx.postings].reverse() };
    expect(canonicalForm(shuffled)).toBe(canonicalForm(tx));
    expect(chainHash(GENESIS_HASH, shuffled)).toBe(chainHash(GENESIS_HASH, tx));
  });

  it('changes with one fen, one field or another previous hash', () => {
    const sut = chainHash(GENESIS_HASH, tx);
    expect(sut).toMatch(/^[0-9a-f]{64}$/);
    const oneFen = { ...tx, postings: tx.postings.map((p, i) => (i === 0 ? { ...p, fen: 701 } : p)) };
    expect(chainHash(GENESIS_HASH, oneFen)).not.toBe(sut);
    expect(chainHash(GENESIS_HASH, { ...tx, memo: 'sale ' })).not.toBe(sut);
    expect(chainHash('1'.repeat(64), tx)).not.toBe(sut);
  });
});
