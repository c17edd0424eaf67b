import type { OrderTrace, TrialBalance } from '../api/views';
import { flowsCsv, ledgerFlows, mergeFlows, orderFlows, type NodeWords } from './flow.util';

const words: NodeWords = {
  payments: 'payments',
  households: 'households',
  unallocated: 'unallocated',
  villages: 'villages',
  fund: 'fund',
  fees: 'fees',
  producers: 'producers',
  suspense: 'suspense',
  refundsDue: 'refundsDue',
};
const money = (fen: number) => ({ fen, currency: 'CNY', display: '' });
const out = (flows: { from: string; fen: number }[], node: string) =>
  flows.filter((f) => f.from === node).reduce((sum, f) => sum + f.fen, 0);

describe(mergeFlows.name, () => {
  it('adds flows between the same nodes and drops empty ones', () => {
    expect(
      mergeFlows([
        { from: 'a', to: 'b', fen: 3 },
        { from: 'a', to: 'b', fen: 4 },
        { from: 'a', to: 'c', fen: 0 },
      ]),
    ).toEqual([{ from: 'a', to: 'b', fen: 7 }]);
  });
});

describe(ledgerFlows.name, () => {
  it('sends what the clearing accounts hold to the kinds of account it is owed to, summing to the same', () => {
    const row = (
      code: string,
      type: TrialBalance['accounts'][number]['type'],
      ownerKind: string,
      balanceFen: number,
    ) => ({
      code,
      type,
      ownerKind,
      ownerId: null,
      currency: 'CNY',
      debitFen: 0,
      creditFen: 0,
      balanceFen,
    });
    const balance: TrialBalance = {
      accounts: [
        row('clearing:manual', 'asset', 'payment_clearing', 10_000),
        row('household:a:benefit', 'liability', 'household', 1_000),
        row('household:b:benefit', 'liability', 'household', 500),
        row('village:v:collective', 'liability', 'village_collective', 300),
        row('fund:relief', 'liability', 'relief_fund', 200),
        row('producer:p:payable', 'liability', 'producer', 8_000),
      ],
      totalDebitFen: 10_000,
      totalCreditFen: 10_000,
      balanced: true,
    };
    const flows = ledgerFlows(balance, words);
    expect(flows).toContainEqual({ from: 'payments', to: 'households', fen: 1_500 });
    expect(out(flows, 'payments')).toBe(10_000);
  });
});

describe(orderFlows.name, () => {
  it("passes every fen of the order's net payment through its producers to where it went", () => {
    const line = {
      orderId: 'o',
      lineId: 'l',
      productId: 'x',
      producerId: 'p',
      quantity: 2,
      refundedQuantity: 0,
      gross: money(10_000),
      lots: [],
      householdBasis: 'lot_suppliers',
      households: [],
      villages: [
        {
          villageId: 'v',
          townId: 't',
          households: 2,
          householdAmount: money(1_500),
          collectiveAmount: money(200),
        },
      ],
      householdAmount: money(1_500),
      unallocatedAmount: money(0),
      licenceCommitment: money(100),
      processorFee: money(340),
      producerAmount: money(7_860),
    };
    const trace: OrderTrace = {
      orderId: 'o',
      full: true,
      lines: [line],
      donation: money(50),
      netPaid: money(10_050),
    };
    const flows = orderFlows(trace, (id) => `producer ${id}`, words);
    expect(out(flows, 'payments')).toBe(trace.netPaid.fen);
    expect(out(flows, 'producer p')).toBe(10_000);
    expect(flows).toContainEqual({ from: 'producer p', to: 'villages', fen: 200 });
  });
});

describe(flowsCsv.name, () => {
  it('writes a header and one row per flow in fen, quoting and defusing what needs it', () => {
    expect(
      flowsCsv([
        { from: '购买', to: '阳光兔业, 合作社', fen: 12_345 },
        { from: '=HYPERLINK("x")', to: 'households', fen: 7 },
      ]),
    ).toBe('from,to,fen\n购买,"阳光兔业, 合作社",12345\n"\'=HYPERLINK(""x"")",households,7\n');
  });

  it('writes only the header when there is no flow', () => {
    expect(flowsCsv([])).toBe('from,to,fen\n');
  });
});
