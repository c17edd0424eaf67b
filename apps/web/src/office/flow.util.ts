import type { OrderTrace, ReliefIncome, TrialBalance } from '../api/views';

/** Fen moving from one node of the flow chart to another. */
export interface Flow {
  from: string;
  to: string;
  fen: number;
}

/** The words for the chart's fixed nodes (`reports.node.*`). */
export type NodeWords = Record<
  | 'payments'
  | 'households'
  | 'unallocated'
  | 'villages'
  | 'fund'
  | 'fees'
  | 'producers'
  | 'suspense'
  | 'refundsDue',
  string
>;

/** Where each kind of liability account belongs on the chart. */
const KIND_NODE: Record<string, keyof NodeWords> = {
  household: 'households',
  household_unallocated: 'unallocated',
  village_collective: 'villages',
  relief_fund: 'fund',
  processor_fees: 'fees',
  producer: 'producers',
  suspense: 'suspense',
  buyer_refunds: 'refundsDue',
};

/** Adds flows between the same two nodes together and leaves out the empty ones. */
export function mergeFlows(flows: Flow[]): Flow[] {
  const merged = new Map<string, Flow>();
  for (const flow of flows) {
    const key = `${flow.from}\u0000${flow.to}`;
    const known = merged.get(key);
    merged.set(key, known ? { ...known, fen: known.fen + flow.fen } : { ...flow });
  }
  return [...merged.values()].filter((flow) => flow.fen > 0);
}

/**
 * The ledger to date: what buyers paid in (the clearing accounts) to whom it is owed now, by
 * kind of account. The trial balance balances, so the flows out add up to the money in.
 */
export function ledgerFlows(balance: TrialBalance, words: NodeWords): Flow[] {
  return mergeFlows(
    balance.accounts
      .filter((a) => a.type !== 'asset' && a.balanceFen > 0)
      .map((a) => {
        const node = KIND_NODE[a.ownerKind];
        return { from: words.payments, to: node ? words[node] : a.ownerKind, fen: a.balanceFen };
      }),
  );
}

/**
 * A period's relief income by producer: from buyers' payments through each producer to the
 * households and village collectives it reached. The ledger reports only this part by period.
 */
export function periodFlows(
  income: ReliefIncome,
  producerName: (id: string) => string,
  words: NodeWords,
): Flow[] {
  return mergeFlows(
    income.rows.flatMap((row) => {
      const producer = producerName(row.key);
      const fen = row.householdAmount.fen + row.collectiveAmount.fen;
      return [
        { from: words.payments, to: producer, fen },
        { from: producer, to: words.households, fen: row.householdAmount.fen },
        { from: producer, to: words.villages, fen: row.collectiveAmount.fen },
      ];
    }),
  );
}

/**
 * One order, net of refunds: the buyer's payment to each producer's lines (and the donation to
 * the fund), and each line's split to households, village collectives, the fund, fees and the
 * producer. The flows out add up to what the order netted.
 */
export function orderFlows(
  trace: OrderTrace,
  producerName: (id: string) => string,
  words: NodeWords,
): Flow[] {
  const flows: Flow[] = [{ from: words.payments, to: words.fund, fen: trace.donation.fen }];
  for (const line of trace.lines) {
    const producer = producerName(line.producerId);
    const collective = line.villages.reduce((sum, v) => sum + v.collectiveAmount.fen, 0);
    const parts: [string, number][] = [
      [words.households, line.householdAmount.fen],
      [words.unallocated, line.unallocatedAmount.fen],
      [words.villages, collective],
      [words.fund, line.licenceCommitment.fen],
      [words.fees, line.processorFee.fen],
      [words.producers, line.producerAmount.fen],
    ];
    flows.push({ from: words.payments, to: producer, fen: parts.reduce((sum, [, fen]) => sum + fen, 0) });
    flows.push(...parts.map(([to, fen]) => ({ from: producer, to, fen })));
  }
  return mergeFlows(flows);
}

/** One CSV field: quoted when it holds a comma, quote or line break; a leading formula sign defused. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The chart's flows as CSV: a `from,to,fen` header, then one row per flow in integer fen, as the
 * table under the chart lists them. No total row: money passing through a producer is in two rows.
 */
export function flowsCsv(flows: Flow[]): string {
  const rows = [['from', 'to', 'fen'], ...flows.map((f) => [f.from, f.to, f.fen])];
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
