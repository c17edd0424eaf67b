import type { AccountType, OwnerKind } from '../journal/account.entity';

/** An account as the posting rules name it; created on first use. */
export interface AccountRef {
  code: string;
  type: AccountType;
  ownerKind: OwnerKind;
  ownerId: string | null;
  currency: string;
  villageId?: string | null;
  nonNegative: boolean;
  /** Known when read from the journal. */
  id?: number;
}

const DEFAULT_CURRENCY = 'CNY';

/** `code` for CNY, `code:<currency>` otherwise: one account per currency. */
function inCurrency(code: string, currency: string): string {
  return currency === DEFAULT_CURRENCY ? code : `${code}:${currency}`;
}

const liability = (
  code: string,
  ownerKind: OwnerKind,
  ownerId: string | null,
  currency: string,
  villageId?: string | null,
): AccountRef => ({
  code: inCurrency(code, currency),
  type: 'liability',
  ownerKind,
  ownerId,
  currency,
  villageId: villageId ?? null,
  nonNegative: true,
});

/**
 * What a household or village collective owes back: a refund's reversal of a share already paid
 * out. An asset (debit-normal) that may carry any debit balance, so not held to the non-negative
 * check; one per owner and currency.
 */
const receivable = (
  code: string,
  ownerKind: OwnerKind,
  ownerId: string,
  currency: string,
  villageId: string | null,
): AccountRef => ({
  code: inCurrency(code, currency),
  type: 'asset',
  ownerKind,
  ownerId,
  currency,
  villageId,
  nonNegative: false,
});

/** The accounts of DESIGN.md's ledger section, one constructor each. */
export const accounts = {
  /** Money a provider (or the relief office's bank account) holds for us. */
  clearing: (method: string, currency = DEFAULT_CURRENCY): AccountRef => ({
    code: inCurrency(`clearing:${method}`, currency),
    type: 'asset',
    ownerKind: 'payment_clearing',
    ownerId: method,
    currency,
    villageId: null,
    nonNegative: true,
  }),
  household: (householdId: string, villageId: string | null, currency = DEFAULT_CURRENCY) =>
    liability(`household:${householdId}:benefit`, 'household', householdId, currency, villageId),
  /** A producer's household share that no household is known for yet; an officer allocates it. */
  unallocated: (producerId: string, currency = DEFAULT_CURRENCY) =>
    liability(`household:unallocated:${producerId}`, 'household_unallocated', producerId, currency),
  village: (villageId: string, currency = DEFAULT_CURRENCY) =>
    liability(`village:${villageId}:collective`, 'village_collective', villageId, currency, villageId),
  householdRecoverable: (householdId: string, villageId: string | null, currency = DEFAULT_CURRENCY) =>
    receivable(
      `household:${householdId}:recoverable`,
      'household_recoverable',
      householdId,
      currency,
      villageId,
    ),
  /** What a producer owes back: a refund's reversal of a payable a payout batch already took. */
  producerRecoverable: (producerId: string, currency = DEFAULT_CURRENCY) =>
    receivable(`producer:${producerId}:recoverable`, 'producer_recoverable', producerId, currency, null),
  villageRecoverable: (villageId: string, currency = DEFAULT_CURRENCY) =>
    receivable(`village:${villageId}:recoverable`, 'village_recoverable', villageId, currency, villageId),
  /** Donations and licence commitments. */
  reliefFund: (currency = DEFAULT_CURRENCY) => liability('fund:relief', 'relief_fund', null, currency),
  /**
   * Commitments licensees declared on off-platform sales and have not paid yet: owed to the fund,
   * not in it (a distribution spends only `fund:relief`); each payment moves its part there.
   */
  reliefFundDeclared: (currency = DEFAULT_CURRENCY) =>
    liability('fund:relief:declared', 'relief_fund_declared', null, currency),
  /** What the payment processor kept of a sale. */
  processorFees: (method: string, currency = DEFAULT_CURRENCY) =>
    liability(`processor:${method}:fees`, 'processor_fees', method, currency),
  producer: (producerId: string, currency = DEFAULT_CURRENCY) =>
    liability(`producer:${producerId}:payable`, 'producer', producerId, currency),
  /**
   * What a licensee owes of the commitments it declared on sales outside the platform: debited by
   * a declaration, credited by its payments; never below zero (no payment beyond what is due).
   */
  commitmentReceivable: (producerId: string, currency = DEFAULT_CURRENCY): AccountRef => ({
    code: inCurrency(`producer:${producerId}:commitment_receivable`, currency),
    type: 'asset',
    ownerKind: 'producer_commitment',
    ownerId: producerId,
    currency,
    villageId: null,
    nonNegative: true,
  }),
  /** Money received that paid nothing: held until the relief office settles it. */
  suspense: (currency = DEFAULT_CURRENCY) =>
    liability('suspense:unmatched_payments', 'suspense', null, currency),
  /** Money received for an order that could not be filled, until it is paid back. */
  buyerRefunds: (currency = DEFAULT_CURRENCY) =>
    liability('buyers:refunds_due', 'buyer_refunds', null, currency),
};

/**
 * The receivable a refund debits for what a household's, village collective's or producer's
 * account no longer holds of the share it reverses (a payout or distribution took it); undefined
 * for every other account (their reversal is refused below zero, as before).
 */
export function recoverableOf(account: AccountRef): AccountRef | undefined {
  if (account.ownerKind === 'household' && account.ownerId) {
    return accounts.householdRecoverable(account.ownerId, account.villageId ?? null, account.currency);
  }
  if (account.ownerKind === 'village_collective' && account.ownerId) {
    return accounts.villageRecoverable(account.ownerId, account.currency);
  }
  if (account.ownerKind === 'producer' && account.ownerId) {
    return accounts.producerRecoverable(account.ownerId, account.currency);
  }
  return undefined;
}
