// What the gateway answers. Its OpenAPI document types every request (paths, queries, bodies: see
// schema.d.ts, generated) and the response bodies of the ledger's routes and payment options:
// those are taken from it, as are money and the states a list filters on (its query's enum); the
// other shapes the gateway's `*.views.ts` build are restated here, in one place, until their
// routes declare them too.
import type { components, paths } from './schema';

/** A GET route's query parameters: its enums name the states a view can be in. */
type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

/** How a buyer can pay here (from the OpenAPI document). */
export type PaymentOptions = components['schemas']['PaymentOptionsView'];

/** An amount: integer fen, its currency, and a display string (from the OpenAPI document). */
export type Money = components['schemas']['MoneyView'];

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export type Role = 'consumer' | 'institution' | 'producer_staff' | 'relief_officer' | 'auditor' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  producerIds: string[];
  createdAt: string;
  disabled: boolean;
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  tokenType: 'Bearer';
  user: User;
  cart?: Cart | null;
}

export interface Product {
  id: string;
  producerId: string;
  producerName: string;
  town: string;
  nameZh: string;
  nameEn: string;
  category: string;
  unit: string;
  price: Money;
  imageUrls: string[];
  originVillage: string;
  reliefCertification: string;
  status: string;
  stock: number;
  stockSourceProductId: string | null;
  /** A LOGO licence covers it now: show the LOGO. */
  licensed: boolean;
  licenceNumber: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Producer {
  id: string;
  kind: string;
  legalName: string;
  creditCode: string;
  town: string;
  village: string;
  status: string;
  householdShareBps: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Lot {
  id: string;
  productId: string;
  lotCode: string;
  producedOn: string;
  quantity: number;
  onHand: number;
  createdAt: string | null;
  suppliers: { householdId: string; quantity: number }[];
}

export interface CartItem {
  productId: string;
  quantity: number;
  nameZh: string;
  nameEn: string;
  unit: string;
  unitPrice: Money | null;
  lineTotal: Money | null;
  available: boolean;
  stock: number;
  producerId: string;
}

export interface Cart {
  items: CartItem[];
  subtotal: Money;
  expiresAt: string | null;
}

export type OrderStatus = NonNullable<QueryOf<'/api/v1/orders'>['status']>;

export interface OrderLine {
  id: string;
  productId: string;
  productNameZh: string;
  productNameEn: string;
  unit: string;
  producerId: string;
  producerName: string;
  unitPrice: Money;
  quantity: number;
  gross: Money;
  householdShareBps: number;
  lots: { lotId: string; lotCode: string; quantity: number }[];
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  refundedQuantity: number;
  refunded: Money;
  /** The LOGO licence terms valid at checkout; null when unlicensed. */
  licence: { licenceId: string; number: string; commitmentBps: number; minPerUnit: Money } | null;
}

export interface Refund {
  id: string;
  lines: { lineId: string; quantity: number; amount: Money }[];
  amount: Money;
  reason: string;
  goodsReturned: boolean;
  status: string;
  reference: string;
  createdAt: string | null;
}

export interface Order {
  id: string;
  buyerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  subtotal: Money;
  donation: Money;
  total: Money;
  payment: { method: string; reference: string | null; amountReceived: Money; paidAt: string | null };
  refunds: Refund[];
  refunded: Money;
  createdAt: string | null;
  expiresAt: string | null;
  updatedAt: string | null;
  deliveredAt: string | null;
}

export interface Town {
  id: string;
  nameZh: string;
  nameEn: string;
  villageCount: number;
}

export interface Village {
  id: string;
  townId: string;
  townNameZh: string;
  nameZh: string;
  nameEn: string;
  registeredPoor: boolean;
  exitYear: number | null;
}

export interface Household {
  id: string;
  archiveNumber: string;
  headName: string;
  nationalId: string;
  payoutAccount: string | null;
  masked: boolean;
  members: number;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: string;
  exitYear: number | null;
  baselineIncome: Money | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Agreement {
  id: string;
  producerId: string;
  householdId: string;
  villageId: string;
  kind: string;
  weight: number;
  effectiveFrom: string;
  effectiveTo: string | null;
  createdAt: string | null;
}

export interface BenefitShare {
  householdId: string;
  villageId: string;
  agreementId: string;
  kind: string;
  weight: number;
}

export interface RegisterSummary {
  households: number;
  people: number;
  villages: number;
  registeredPoorVillages: number;
  peopleLinked: number;
  towns: {
    townId: string;
    nameZh: string;
    villages: number;
    registeredPoorVillages: number;
    households: number;
    people: number;
  }[];
}

export interface ImportReport {
  rowsRead: number;
  householdsCreated: number;
  householdsUpdated: number;
  agreementsCreated: number;
  rejected: { line: number; field: string; reason: string }[];
  committed: boolean;
  partial: boolean;
  dryRun: boolean;
}

/** The gateway's error body. */
export interface ApiErrorBody {
  error: string;
  message: string;
  fields?: { field: string; reason: string }[];
}

// The ledger's answers, from the OpenAPI document (apps/gateway/src/ledger/dto/ledger-views.dto.ts).
type Schemas = components['schemas'];
/** One village a line's household share reached, with the village collective's own share. */
export type TracedVillage = Schemas['TracedVillageView'];
/** One order line's split, net of refunds (`GET /orders/{id}/trace`). */
export type TracedLine = Schemas['TracedLineView'];
/** Where an order's money went, from the ledger. */
export type OrderTrace = Schemas['OrderTraceView'];
/** Every sale that drew on a lot (`GET /lots/{id}/trace`). */
export type LotTrace = Schemas['LotTraceView'];
/** Relief income by town for everyone (`GET /ledger/public-summary`). */
export type PublicSummary = Schemas['PublicSummaryView'];
/** Every account's debits, credits and balance (`GET /ledger/trial-balance`). */
export type TrialBalance = Schemas['TrialBalanceView'];
/** Household benefits and collective shares by a grouping (`GET /ledger/relief-income`). */
export type ReliefIncome = Schemas['ReliefIncomeView'];
export type ReliefIncomeGroupBy = NonNullable<
  NonNullable<paths['/api/v1/ledger/relief-income']['get']['parameters']['query']>['groupBy']
>;
/** The hash chain's last sealed transaction (`GET /ledger/chain-head`). */
export type ChainHead = Schemas['ChainHeadView'];
/** What the ledger holds for a producer (`GET /producers/{id}/balance`). */
export type ProducerBalance = Schemas['ProducerBalanceView'];

// The relief office's routes (apps/gateway/src/ledger/relief-office.controller.ts,
// statements.views.ts, beneficiaries/monitoring.views.ts).

export type RunState = NonNullable<QueryOf<'/api/v1/ledger/distribution-runs'>['state']>;
export type RunPolicy = 'equal' | 'per_member' | 'by_status';

export interface DistributionRun {
  id: string;
  state: RunState;
  policy: RunPolicy;
  townId: string | null;
  villageId: string | null;
  status: string | null;
  statusWeights: Record<string, number>;
  allAvailable: boolean;
  totalFen: number;
  recipients: number;
  proposedBy: string;
  proposedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  transactionId: string | null;
  memo: string;
}

export interface DistributionShare {
  householdId: string;
  villageId: string;
  townId: string;
  members: number;
  status: string;
  weight: number;
  amountFen: number;
}

export interface DistributionRunDetail extends DistributionRun {
  shares: DistributionShare[];
}

export interface MonitoringCase {
  id: string;
  householdId: string;
  archiveNumber: string;
  headName: string;
  members: number;
  villageId: string;
  villageNameZh: string;
  townId: string;
  townNameZh: string;
  status: 'open' | 'visited' | 'closed';
  reasons: string[];
  recentIncome: Money;
  priorIncome: Money;
  perMemberPerYear: Money;
  dropBps: number;
  asOf: string | null;
  stillFlagged: boolean;
  openedAt: string | null;
  updatedAt: string | null;
  history: { kind: string; userId: string | null; note: string | null; at: string | null }[];
}

export interface MonitoringRefresh {
  asOf: string | null;
  windowMonths: number;
  povertyLine: Money;
  dropThresholdBps: number;
  assessed: number;
  flagged: number;
  opened: number;
  refreshed: number;
}

export interface StatementEntry {
  postingId: number;
  transactionId: string;
  occurredAt: string | null;
  kind: string;
  memo: string;
  side: 'debit' | 'credit';
  amount: Money;
  balance: Money | null;
  source: {
    orderId: string;
    lineId: string;
    productId: string;
    producerId: string;
    lotId: string | null;
    lotCode: string | null;
  } | null;
  /** The distribution run that paid this credit, and its policy; null for other entries. */
  distributionRun: { id: string; policy: string | null } | null;
}

export interface HouseholdStatement {
  household: {
    id: string;
    archiveNumber: string;
    headName: string;
    masked: boolean;
    villageId: string;
    villageNameZh: string;
    townId: string;
    townNameZh: string;
  };
  from: string | null;
  to: string | null;
  currency: string;
  full: boolean;
  openingBalance: Money | null;
  closingBalance: Money | null;
  credits: Money;
  debits: Money;
  entries: StatementEntry[];
  nextCursor: string | null;
}

export interface SuspenseItem {
  transactionId: string;
  orderId: string | null;
  method: string;
  reference: string;
  amountFen: number;
  currency: string;
  receivedAt: string | null;
  memo: string;
  state: 'open' | 'return' | 'accept';
  settlementTransactionId: string | null;
  settledBy: string | null;
  settlementReason: string | null;
  settledAt: string | null;
}

export interface UnallocatedShare {
  producerId: string;
  amountFen: number;
}

export interface Allocation {
  transactionId: string;
  producerId: string;
  amountFen: number;
  allocations: { householdId: string; villageId: string | null; amountFen: number }[];
  replayed: boolean;
}

// Certification, LOGO licences and labels (the gateway's catalog.views.ts and licensing.views.ts).

/** A producer with its application's documents and who applied (officers' and own staff's view). */
export interface ProducerApplication extends Producer {
  documents: string[];
  appliedBy: string | null;
}

export type CertificateStatus = NonNullable<QueryOf<'/api/v1/certificates'>['status']>;

export interface Certificate {
  id: string;
  number: string;
  productId: string;
  producerId: string;
  productNameZh: string;
  producerName: string;
  validFrom: string | null;
  validTo: string | null;
  status: CertificateStatus;
  certifiedBy: string | null;
  createdAt: string | null;
  endedAt: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
}

export interface ReviewQueue {
  pendingProducers: { items: ProducerApplication[]; total: number };
  uncertifiedProducts: { items: Product[]; total: number };
}

export type LicenceStatus = NonNullable<QueryOf<'/api/v1/licences'>['status']>;

export interface Licence {
  id: string;
  number: string | null;
  producerId: string;
  productIds: string[];
  commitment: { bps: number; minPerUnit: Money };
  status: LicenceStatus;
  validFrom: string | null;
  validTo: string | null;
  /** It covers its products now (approved and within its validity). */
  covering: boolean;
  note: string;
  appliedBy: string;
  createdAt: string | null;
  updatedAt: string | null;
  history: {
    from: LicenceStatus | null;
    to: LicenceStatus;
    by: string | null;
    reason: string;
    at: string | null;
  }[];
}

export interface LabelBatch {
  id: string;
  licenceId: string;
  licenceNumber: string;
  producerId: string;
  productId: string;
  lotId: string;
  lotCode: string;
  quantity: number;
  /** Pages of its printable sheet (24 labels a page). */
  pages: number;
  orderedBy: string;
  createdAt: string | null;
}

/** Counterfeit signals of labels (the office's view). */
export interface LabelSignals {
  forgedScans: number;
  unknownScans: number;
  overScanThreshold: number;
  overScanned: { code: string; batchId: string; productId: string; scans: number }[];
  /** More than this many places (client networks) scanning one code is a signal. */
  overPlaceThreshold: number;
  /** Codes scanned from more than `overPlaceThreshold` places, most places first. */
  overPlaced: { code: string; batchId: string; productId: string; places: number; scans: number }[];
  revoked: { licenceId: string; licenceNumber: string; scans: number }[];
}

// Payout batches of household balances (the gateway's payouts.controller.ts).

export type PayoutBatchState = NonNullable<QueryOf<'/api/v1/ledger/payout-batches'>['state']>;

export interface PayoutBatch {
  id: string;
  number: number | string;
  state: PayoutBatchState;
  minimumFen: number;
  totalFen: number;
  lineCount: number;
  skippedCount: number;
  paidFen: number;
  failedFen: number;
  memo: string;
  createdBy: string;
  createdAt: string | null;
  sentBy: string | null;
  sentAt: string | null;
  settledBy: string | null;
  settledAt: string | null;
}

export interface PayoutLine {
  payeeKind: 'household' | 'producer';
  payeeId: string;
  /** The payee when it is a household; null on a producer's line. */
  householdId: string | null;
  amountFen: number;
  reference: string | null;
  status: string;
  skipReason: string | null;
}

export interface PayoutBatchDetail extends PayoutBatch {
  lines: PayoutLine[];
}
