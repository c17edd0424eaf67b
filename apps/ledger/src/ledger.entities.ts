import { Allocation } from './adjustments/allocation.entity';
import { SuspenseSettlement } from './adjustments/suspense-settlement.entity';
import { ChainLink } from './chain/chain-link.entity';
import { AppliedEvent } from './events/applied-event.entity';
import { DistributionRun } from './distribution/distribution-run.entity';
import { DistributionShare } from './distribution/distribution-share.entity';
import { ConsumerCursor } from './events/consumer-cursor.entity';
import { SaleLine } from './events/sale-line.entity';
import { AccountBalance } from './journal/account-balance.entity';
import { AccountMonth } from './journal/account-month.entity';
import { Account } from './journal/account.entity';
import { JournalTransaction } from './journal/journal-transaction.entity';
import { Posting } from './journal/posting.entity';
import { PayoutBatch } from './payouts/payout-batch.entity';
import { PayoutLine } from './payouts/payout-line.entity';

/** Every entity the ledger persists. */
export const LEDGER_ENTITIES = [
  Account,
  AccountBalance,
  AccountMonth,
  JournalTransaction,
  Posting,
  ChainLink,
  AppliedEvent,
  ConsumerCursor,
  SaleLine,
  Allocation,
  SuspenseSettlement,
  DistributionRun,
  DistributionShare,
  PayoutBatch,
  PayoutLine,
];
