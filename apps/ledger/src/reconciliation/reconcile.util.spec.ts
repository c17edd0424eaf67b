import fc from 'fast-check';
import {
  reconcilePayouts,
  reconcileProcessor,
  type LedgerClearingEntry,
  type ProcessorEntry,
} from './reconcile.util';

const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2021-01-01T00:00:00Z');

/** Both sides of random card sales with partial refunds, agreeing to the fen. */
const agreeing = fc
  .array(
    fc.record({
      amount: fc.integer({ min: 1, max: 1_000_000 }),
      fee: fc.integer({ min: 0, max: 30_000 }),
      refunds: fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 3 }),
      at: fc.integer({ min: from.getTime(), max: to.getTime() - 1 }),
      skewMs: fc.integer({ min: -5_000, max: 5_000 }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((sales) => {
    const ledger: LedgerClearingEntry[] = [];
    const processor: ProcessorEntry[] = [];
    sales.forEach((s, i) => {
      const orderId = `order-${i}`;
      const at = new Date(s.at);
      const theirs = new Date(s.at + s.skewMs);
      ledger.push({
        transactionId: `t${i}`,
        kind: 'sale',
        idempotencyKey: `order:${orderId}:paid`,
        orderId,
        occurredAt: at,
        currency: 'CNY',
        clearingFen: s.amount,
        feeFen: s.fee,
      });
      processor.push({
        id: `txn_c${i}`,
        type: 'charge',
        amountFen: s.amount,
        feeFen: s.fee,
        currency: 'CNY',
        created: theirs,
        source: `ch_${i}`,
        paymentIntent: `pi_${i}`,
        orderId,
        refundId: '',
      });
      s.refunds.forEach((fen, j) => {
        const refundId = `r-${i}-${j}`;
        ledger.push({
          transactionId: `t${i}-${j}`,
          kind: 'refund',
          idempotencyKey: `order:${orderId}:refund:${refundId}`,
          orderId,
          occurredAt: at,
          currency: 'CNY',
          clearingFen: -fen,
          feeFen: 0,
        });
        processor.push({
          id: `txn_r${i}-${j}`,
          type: 'refund',
          amountFen: -fen,
          feeFen: 0,
          currency: 'CNY',
          created: theirs,
          source: `re_${i}_${j}`,
          paymentIntent: `pi_${i}`,
          orderId,
          refundId,
        });
      });
    });
    return { ledger, processor };
  });

describe(reconcileProcessor.name, () => {
  it('reports nothing when both sides agree, whatever the order and the seconds between them', () => {
    fc.assert(
      fc.property(agreeing, ({ ledger, processor }) => {
        expect(reconcileProcessor(ledger, [...processor].reverse(), from, to)).toEqual([]);
      }),
    );
  });

  it('names each disagreement once, with the fen it differs by', () => {
    fc.assert(
      fc.property(agreeing, fc.integer({ min: 1, max: 500 }), ({ ledger, processor }, delta) => {
        const charge = processor.find((p) => p.type === 'charge')!;
        const changed = processor.map((p) => (p === charge ? { ...p, feeFen: p.feeFen + delta } : p));
        const extraRefund: ProcessorEntry = {
          ...charge,
          id: 'txn_extra',
          type: 'refund',
          amountFen: -delta,
          feeFen: 0,
          source: 're_extra',
          refundId: '',
          created: from,
        };
        const sut = reconcileProcessor(ledger.slice(), [...changed, extraRefund], from, to);
        expect(sut.map((i) => [i.kind, i.reference, i.differenceFen]).sort()).toEqual(
          [
            ['fee_differs', charge.paymentIntent, delta],
            ['refund_missing_in_ledger', 're_extra', delta],
          ].sort(),
        );
      }),
    );
  });

  it('leaves out what lies wholly outside the period, and lists a processor entry with nothing behind it', () => {
    const outside: ProcessorEntry = {
      id: 'txn_old',
      type: 'charge',
      amountFen: 100,
      feeFen: 3,
      currency: 'CNY',
      created: new Date('2019-12-30T00:00:00Z'),
      source: 'ch_old',
      paymentIntent: 'pi_old',
      orderId: 'o-old',
      refundId: '',
    };
    const fee: ProcessorEntry = {
      ...outside,
      id: 'txn_fee',
      type: 'stripe_fee',
      amountFen: -500,
      feeFen: 0,
      created: from,
    };
    const payout: ProcessorEntry = { ...fee, id: 'txn_po', type: 'payout', amountFen: -9_000 };

    const sut = reconcileProcessor([], [outside, fee, payout], from, to);

    expect(sut.map((i) => [i.kind, i.reference, i.externalFen])).toEqual([
      ['processor_entry_unexplained', 'txn_fee', -500],
    ]);
  });
});

describe(reconcilePayouts.name, () => {
  it('lists lines in transit and a settlement that paid other than its lines say', () => {
    const at = new Date('2020-06-01T00:00:00Z');
    const sut = reconcilePayouts(
      [{ batchId: 'b', reference: 'PB2-0001', amountFen: 3_000, sentAt: at }],
      [
        {
          batchId: 'a',
          number: 1,
          state: 'settled',
          at,
          linesFen: 9_000,
          totalFen: 9_000,
          paidLinesFen: 6_000,
          failedLinesFen: 3_000,
          reservedFen: 9_000,
          sentFen: 9_000,
          paidFen: 5_900,
          returnedFen: 3_000,
        },
      ],
    );

    expect(sut.map((i) => [i.kind, i.reference, i.ledgerFen, i.externalFen, i.differenceFen])).toEqual([
      ['payout_settlement_differs', 'PB1', 5_900, 6_000, 100],
      ['payout_unsettled', 'PB2-0001', 3_000, 0, -3_000],
    ]);
  });
});
