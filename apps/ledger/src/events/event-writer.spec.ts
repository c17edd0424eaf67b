import type { PostingRow } from '../journal/journal.repository';
import { compactPostings } from './event-writer';

const LINE = '00000000-0000-4000-8000-000000000001';
const PRODUCT = '00000000-0000-4000-8000-000000000002';
const PRODUCER = '00000000-0000-4000-8000-000000000003';
const LOT_A = '00000000-0000-4000-8000-000000000004';
const LOT_B = '00000000-0000-4000-8000-000000000005';

const row = (account_id: number, fen: number, dims: Partial<PostingRow> = {}): PostingRow => ({
  account_id,
  side: 'credit',
  fen,
  role: 'household',
  slot: 7,
  line_id: null,
  product_id: null,
  producer_id: null,
  lot_id: null,
  ...dims,
});

describe(compactPostings.name, () => {
  it('lists each set of dimensions once and keeps every posting, in order, with its own', () => {
    const a = { line_id: LINE, product_id: PRODUCT, producer_id: PRODUCER, lot_id: LOT_A };
    const b = { ...a, lot_id: LOT_B };
    const postings = [
      row(2, 27, a),
      row(3, 29, b),
      row(4, 32, a),
      row(9, 88),
      { ...row(1, 176), side: 'debit' },
    ];

    const { postings: rows, dims } = compactPostings(postings);

    expect(dims).toEqual([
      [LINE, PRODUCT, PRODUCER, LOT_A],
      [LINE, PRODUCT, PRODUCER, LOT_B],
    ]);
    expect(rows).toEqual([
      [2, 'credit', 27, 'household', 7, 0],
      [3, 'credit', 29, 'household', 7, 1],
      [4, 'credit', 32, 'household', 7, 0],
      [9, 'credit', 88, 'household', 7, null],
      [1, 'debit', 176, 'household', 7, null],
    ]);
    // Expanded back, as the database function reads them, they are the rows given.
    const expanded = rows.map(([account_id, side, fen, role, slot, dim]) => {
      const [line_id, product_id, producer_id, lot_id] =
        dim === null ? [null, null, null, null] : dims[dim as number]!;
      return { account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id };
    });
    expect(expanded).toEqual(postings);
  });

  it('tells a posting with only some dimensions from one with none', () => {
    const { postings: rows, dims } = compactPostings([row(5, 10, { producer_id: PRODUCER }), row(6, 10)]);
    expect(dims).toEqual([[null, null, PRODUCER, null]]);
    expect(rows.map((r) => r[5])).toEqual([0, null]);
  });
});
