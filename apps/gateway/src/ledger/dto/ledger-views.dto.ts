import { ApiProperty } from '@nestjs/swagger';

// The bodies the ledger's routes answer, declared for the OpenAPI document (and so for the web
// app's generated client). `ledger.views.ts` builds them; its functions are typed to return these.

export class MoneyView {
  @ApiProperty({ description: 'integer minor units (fen)', example: 12_800 })
  fen!: number;

  @ApiProperty({ example: 'CNY' })
  currency!: string;

  @ApiProperty({ description: 'for display only', example: '¥128.00' })
  display!: string;
}

export class TracedLotView {
  @ApiProperty({ format: 'uuid' })
  lotId!: string;

  @ApiProperty()
  lotCode!: string;

  @ApiProperty()
  quantity!: number;
}

export class TracedHouseholdView {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "only in an officer's or auditor's view; null for the buyer and the public",
  })
  householdId!: string | null;

  @ApiProperty({ format: 'uuid' })
  villageId!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the lot it supplied' })
  lotId!: string | null;

  @ApiProperty({ type: MoneyView })
  amount!: MoneyView;
}

export class TracedVillageView {
  @ApiProperty({ format: 'uuid' })
  villageId!: string;

  @ApiProperty({ format: 'uuid' })
  townId!: string;

  @ApiProperty({ description: 'households of this village the line reached' })
  households!: number;

  @ApiProperty({ type: MoneyView })
  householdAmount!: MoneyView;

  @ApiProperty({ type: MoneyView, description: "the village collective's own share" })
  collectiveAmount!: MoneyView;
}

/** One order line's split, net of refunds. */
export class TracedLineView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ format: 'uuid' })
  lineId!: string;

  @ApiProperty({ format: 'uuid' })
  productId!: string;

  @ApiProperty({ format: 'uuid' })
  producerId!: string;

  @ApiProperty()
  quantity!: number;

  @ApiProperty()
  refundedQuantity!: number;

  @ApiProperty({ type: MoneyView })
  gross!: MoneyView;

  @ApiProperty({ type: [TracedLotView] })
  lots!: TracedLotView[];

  @ApiProperty({ description: 'how the household share was split: by lot suppliers or by agreements' })
  householdBasis!: string;

  @ApiProperty({ type: [TracedHouseholdView] })
  households!: TracedHouseholdView[];

  @ApiProperty({ type: [TracedVillageView] })
  villages!: TracedVillageView[];

  @ApiProperty({ type: MoneyView })
  householdAmount!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'a household share no household is known for yet' })
  unallocatedAmount!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'the LOGO licence commitment, to the relief fund' })
  licenceCommitment!: MoneyView;

  @ApiProperty({ type: MoneyView })
  processorFee!: MoneyView;

  @ApiProperty({ type: MoneyView })
  producerAmount!: MoneyView;
}

export class OrderTraceView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ description: 'household ids included (officers, auditors, admins)' })
  full!: boolean;

  @ApiProperty({ type: [TracedLineView] })
  lines!: TracedLineView[];

  @ApiProperty({ type: MoneyView, description: 'to the relief fund' })
  donation!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'paid, less refunds' })
  netPaid!: MoneyView;
}

export class LotTraceView {
  @ApiProperty({ format: 'uuid' })
  lotId!: string;

  @ApiProperty({ description: 'household ids included (signed-in officers and auditors)' })
  full!: boolean;

  @ApiProperty({ type: [TracedLineView], description: 'every sale that drew on the lot' })
  lines!: TracedLineView[];

  @ApiProperty({ type: MoneyView })
  householdAmount!: MoneyView;

  @ApiProperty({ description: 'households the lot reached' })
  households!: number;
}

export class TrialBalanceAccountView {
  @ApiProperty({ example: 'fund:relief' })
  code!: string;

  @ApiProperty({ enum: ['asset', 'liability', 'expense'] })
  type!: string;

  @ApiProperty({
    example: 'relief_fund',
    description:
      'producer, household, village_collective, relief_fund, payment_clearing, processor_fees, suspense, buyer_refunds',
  })
  ownerKind!: string;

  @ApiProperty({ type: String, nullable: true })
  ownerId!: string | null;

  @ApiProperty({ example: 'CNY' })
  currency!: string;

  @ApiProperty()
  debitFen!: number;

  @ApiProperty()
  creditFen!: number;

  @ApiProperty({
    description: "on the account's normal side (debits for assets and expenses, credits otherwise)",
  })
  balanceFen!: number;
}

export class TrialBalanceView {
  @ApiProperty({ type: [TrialBalanceAccountView] })
  accounts!: TrialBalanceAccountView[];

  @ApiProperty()
  totalDebitFen!: number;

  @ApiProperty()
  totalCreditFen!: number;

  @ApiProperty({ description: 'debits equal credits, per currency: the sum is zero' })
  balanced!: boolean;
}

export class ReliefIncomeRowView {
  @ApiProperty({
    description: 'the town, village, household, producer or product id, or the month (2020-05)',
  })
  key!: string;

  @ApiProperty({ description: "households that received a share (0 for a village collective's own)" })
  households!: number;

  @ApiProperty({ type: MoneyView, description: 'household benefits, net of refunds' })
  householdAmount!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'village collective shares, net of refunds' })
  collectiveAmount!: MoneyView;
}

export class ReliefIncomeView {
  @ApiProperty({ enum: ['town', 'village', 'household', 'producer', 'product', 'month'] })
  groupBy!: string;

  @ApiProperty({ type: [ReliefIncomeRowView] })
  rows!: ReliefIncomeRowView[];

  @ApiProperty({ type: MoneyView })
  householdAmount!: MoneyView;

  @ApiProperty({ type: MoneyView })
  collectiveAmount!: MoneyView;
}

export class PublicTownView {
  @ApiProperty({ format: 'uuid' })
  townId!: string;

  @ApiProperty()
  households!: number;

  @ApiProperty({ type: MoneyView })
  householdAmount!: MoneyView;

  @ApiProperty({ type: MoneyView })
  collectiveAmount!: MoneyView;
}

export class PublicSummaryView {
  @ApiProperty({ type: [PublicTownView] })
  towns!: PublicTownView[];

  @ApiProperty({ description: 'towns left out because they reached fewer than 5 households' })
  townsWithheld!: number;

  @ApiProperty({ type: MoneyView, description: 'donations and licence commitments, net' })
  reliefFund!: MoneyView;
}

export class ChainHeadView {
  @ApiProperty({ description: 'sealed transactions so far' })
  sequence!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  transactionId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256, hex; null before the first seal' })
  hash!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  sealedAt!: string | null;

  @ApiProperty({ description: 'committed transactions not sealed yet' })
  unsealed!: number;
}

/** What the ledger holds for a producer. */
export class ProducerBalanceView {
  @ApiProperty({ format: 'uuid' })
  producerId!: string;

  @ApiProperty({
    type: MoneyView,
    description: 'owed to the producer now: its share of sales less refunds, fees and payouts',
  })
  payable!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'ever credited to the payable (sales)' })
  payableCredits!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'ever debited from the payable (refunds, fees, payouts)' })
  payableDebits!: MoneyView;

  @ApiProperty({
    type: MoneyView,
    description: "the household share of its sales waiting for the office's allocation",
  })
  unallocatedShare!: MoneyView;

  @ApiProperty({ type: MoneyView, description: 'declared licence commitments not paid yet' })
  commitmentOwed!: MoneyView;
}
