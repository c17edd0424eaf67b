// The JSON the gateway answers, typed from the functions that render it, so that a test reads
// the shape the API has. Types only: importing these loads nothing of the gateway.
import type { lotJson, ProductJson } from '../../src/catalog/catalog.views';
import type { UserView } from '../../src/identity/dto/identity.dto';
import type {
  lotTraceJson,
  orderTraceJson,
  publicSummaryJson,
  reliefIncomeJson,
  trialBalanceJson,
} from '../../src/ledger/ledger.views';
import type { licenceJson } from '../../src/licensing/licensing.views';
import type { CartJson, orderJson } from '../../src/orders/orders.views';
import type { SessionView } from '../../src/sessions/dto/sessions.dto';

export type { ProductJson };
export type LotJson = ReturnType<typeof lotJson>;
export type OrderJson = ReturnType<typeof orderJson>;
/** One line of an {@link OrderJson}. */
export type OrderLineJson = OrderJson['lines'][number];
/** What a sign-in answers: the tokens, the user and, when an anonymous cart was merged, the cart. */
export type SignInJson = SessionView & { user: UserView; cart?: CartJson | null };
/** Where an order's money went (`GET /orders/:id/trace`). */
export type OrderTraceJson = ReturnType<typeof orderTraceJson>;
export type LotTraceJson = ReturnType<typeof lotTraceJson>;
export type TrialBalanceJson = ReturnType<typeof trialBalanceJson>;
export type ReliefIncomeJson = ReturnType<typeof reliefIncomeJson>;
export type PublicSummaryJson = ReturnType<typeof publicSummaryJson>;
/** A LOGO licence with its history (`/licences`). */
export type LicenceJson = ReturnType<typeof licenceJson>;
