import { formatYuan } from '@yugong/shared/money';
import { stringify } from 'csv-stringify/sync';

/** One line of a bank batch-transfer file. */
export interface PayoutFileRow {
  payeeName: string;
  accountNumber: string;
  bankName: string;
  amountFen: number;
  reference: string;
}

export const PAYOUT_FILE_COLUMNS = ['payee_name', 'bank_account', 'bank_name', 'amount', 'reference'];

/**
 * The bank batch-transfer CSV: a header, then one row per line in the order given, the amount in
 * yuan with two decimals and no symbol. The same lines always give the same bytes, so a file
 * generated twice is the same file (the bank deduplicates by reference).
 */
export function payoutFileCsv(rows: PayoutFileRow[]): Buffer {
  return Buffer.from(
    stringify(
      rows.map((r) => [
        r.payeeName,
        r.accountNumber,
        r.bankName,
        formatYuan(r.amountFen).replace('¥', ''),
        r.reference,
      ]),
      { header: true, columns: PAYOUT_FILE_COLUMNS, quoted_match: /^[=+\-@]/ },
    ),
    'utf8',
  );
}
