import { formatYuan } from '@yugong/shared/money';
import { stringify } from 'csv-stringify/sync';

/** One row of a bank batch-transfer file. */
export interface ProducerPayoutRow {
  payeeName: string;
  accountNumber: string;
  bankName: string;
  amountFen: number;
  reference: string;
}

/**
 * Bank batch-transfer rows without the header line (the gateway joins them to the households'
 * file): payee_name, bank_account, bank_name, amount in yuan with two decimals, reference; the
 * same layout and quoting as the households' rows, the same bytes for the same lines.
 */
export function producerPayoutRowsCsv(rows: ProducerPayoutRow[]): Buffer {
  return Buffer.from(
    stringify(
      rows.map((r) => [
        r.payeeName,
        r.accountNumber,
        r.bankName,
        formatYuan(r.amountFen).replace('¥', ''),
        r.reference,
      ]),
      { header: false, quoted_match: /^[=+\-@]/ },
    ),
    'utf8',
  );
}

/** `****1234`: always four stars, so the mask does not tell the account's length. */
export const maskAccountNumber = (account: string) => (account === '' ? '' : `****${account.slice(-4)}`);
