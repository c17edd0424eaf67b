import { Injectable, Logger } from '@nestjs/common';
import type { CallerIdentity } from '@yugong/shared/auth';
import { OrdersClient } from './orders.client';
import { cartJson, type CartJson } from './orders.views';

/** The roles that buy, and so keep the cart they filled before signing in. */
const BUYERS: ReadonlySet<CallerIdentity['role']> = new Set(['consumer', 'institution']);

/** Moves an anonymous cart into a buyer's own when they sign in. */
@Injectable()
export class CartMergeService {
  private readonly logger = new Logger(CartMergeService.name);

  constructor(private readonly orders: OrdersClient) {}

  /**
   * The buyer's cart after the anonymous cart `cartToken` was merged into it; `undefined` for a
   * caller who does not buy (their anonymous cart is left alone). Signing in must not fail because
   * carts are away: then `null`, the anonymous cart stays as it was, and the client can merge it
   * later with `POST /cart/merge`.
   */
  async mergeOnSignIn(
    caller: CallerIdentity,
    cartToken: string,
    requestId: string,
  ): Promise<CartJson | null | undefined> {
    if (!BUYERS.has(caller.role)) {
      return undefined;
    }
    try {
      // MergeCart is idempotent (a second call finds nothing to move), so a retry is safe.
      const res = await this.orders.call('mergeCart', { cartToken }, { caller, requestId, idempotent: true });
      return cartJson(res.cart);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.warn(`cart not merged on sign-in (request ${requestId}, gRPC status ${String(code)})`);
      return null;
    }
  }
}
