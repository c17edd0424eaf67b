import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { ReportFormatQuery } from './ledger.dto';

export class ReconciliationQuery extends ReportFormatQuery {
  @ApiProperty({
    format: 'date-time',
    description: 'at or after this instant',
    example: '2020-01-01T00:00:00+08:00',
  })
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  from!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'before this instant',
    example: '2021-01-01T00:00:00+08:00',
  })
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date or instant' })
  to!: string;
}

export class ReconciliationItemView {
  @ApiProperty({
    example: 'fee_differs',
    description:
      'charge_missing_in_ledger, charge_missing_at_processor, charge_amount_differs, fee_differs, refund_missing_in_ledger, refund_missing_at_processor, refund_amount_differs, processor_entry_unexplained, ledger_entry_unexplained, payout_unsettled, payout_settlement_differs, payout_posting_differs',
  })
  kind!: string;

  @ApiProperty({
    description: 'payment intent, refund, processor entry, or payout line / batch',
    example: 'pi_3Q…',
  })
  reference!: string;

  @ApiProperty({ nullable: true, type: String })
  orderId!: string | null;

  @ApiProperty()
  ledgerFen!: number;

  @ApiProperty({ description: "Stripe's figure, or the bank's" })
  externalFen!: number;

  @ApiProperty({ description: 'externalFen − ledgerFen' })
  differenceFen!: number;

  @ApiProperty()
  currency!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty()
  note!: string;
}

export class ReconciliationView {
  @ApiProperty({ format: 'date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time' })
  to!: string;

  @ApiProperty({ type: [ReconciliationItemView], description: 'empty when every fen agrees' })
  items!: ReconciliationItemView[];

  @ApiProperty({ description: 'sum of the differences' })
  unexplainedFen!: number;

  @ApiProperty({ description: 'whether the card processor was asked (orders has one configured)' })
  processorChecked!: boolean;

  @ApiProperty()
  processorEntries!: number;

  @ApiProperty()
  ledgerEntries!: number;
}
