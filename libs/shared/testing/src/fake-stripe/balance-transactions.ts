import { invalidRequest, missing } from './api-error';
import { integerParam, onlyKnown, stringParam } from './parameters';
import { renderBalanceTransaction, renderCharge, renderRefund } from './rendering';
import type { BalanceEntry, ChargeRecord, RefundRecord, StripeState } from './state';

const CREATED_BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/** A balance entry as `GET /v1/balance_transactions` renders it; `expandSource` renders its source object. */
export function renderBalanceEntry(
  state: StripeState,
  entry: BalanceEntry,
  expandSource = false,
): Record<string, unknown> {
  if (entry.type === 'charge' && entry.source) {
    const charge = state.charges.get(entry.source) as ChargeRecord;
    const body = renderBalanceTransaction(charge) as Record<string, unknown>;
    return expandSource ? { ...body, source: renderCharge(state, charge) } : body;
  }
  if ((entry.type === 'refund' || entry.type === 'refund_failure') && entry.source) {
    const refund = state.refunds.get(entry.source) as RefundRecord;
    const amount = entry.type === 'refund' ? -refund.amount : refund.amount;
    return {
      ...common(entry, amount, 0),
      reporting_category: entry.type === 'refund' ? 'refund' : 'refund_failure',
      source: expandSource ? renderRefund(refund) : refund.id,
    };
  }
  return { ...common(entry, entry.amount, entry.fee), reporting_category: 'fee', source: null };
}

function common(entry: BalanceEntry, amount: number, fee: number): Record<string, unknown> {
  return {
    id: entry.id,
    object: 'balance_transaction',
    amount,
    available_on: entry.created + 2 * 86_400,
    created: entry.created,
    currency: entry.currency,
    description: entry.description,
    exchange_rate: null,
    fee,
    fee_details: [],
    net: amount - fee,
    status: 'pending',
    type: entry.type,
  };
}

/**
 * `GET /v1/balance_transactions`: newest first, filtered by `created[gt|gte|lt|lte]` and `type`,
 * `limit` 1..100 (10), `starting_after` an id of the previous page, `expand[]=data.source`.
 */
export function listBalanceTransactions(
  state: StripeState,
  params: Record<string, unknown>,
): Record<string, unknown> {
  onlyKnown(params, ['created', 'limit', 'starting_after', 'type', 'expand', 'currency', 'source', 'payout']);
  const limit = integerParam(params, 'limit', false) ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest('Invalid limit: must be between 1 and 100', { param: 'limit' });
  }
  const created = params['created'];
  const bounds: Partial<Record<(typeof CREATED_BOUNDS)[number], number>> = {};
  if (typeof created === 'object' && created !== null) {
    const given = created as Record<string, unknown>;
    onlyKnown(given, [...CREATED_BOUNDS]);
    for (const bound of CREATED_BOUNDS) {
      const value = integerParam(given, bound, false);
      if (value !== undefined) {
        bounds[bound] = value;
      }
    }
  } else if (created !== undefined) {
    bounds.gte = integerParam(params, 'created', true);
    bounds.lte = bounds.gte;
  }
  const type = stringParam(params, 'type');
  const expand = params['expand'];
  const paths = Array.isArray(expand) ? expand.map(String) : typeof expand === 'string' ? [expand] : [];
  const newestFirst = [...state.balance]
    .reverse()
    .filter(
      (e) =>
        (type === undefined || e.type === type) &&
        (bounds.gt === undefined || e.created > bounds.gt) &&
        (bounds.gte === undefined || e.created >= bounds.gte) &&
        (bounds.lt === undefined || e.created < bounds.lt) &&
        (bounds.lte === undefined || e.created <= bounds.lte),
    );
  let from = 0;
  const after = stringParam(params, 'starting_after');
  if (after !== undefined) {
    const index = newestFirst.findIndex((e) => e.id === after);
    if (index < 0) {
      throw missing('balance_transaction', after, 'starting_after');
    }
    from = index + 1;
  }
  const page = newestFirst.slice(from, from + limit);
  return {
    object: 'list',
    data: page.map((e) => renderBalanceEntry(state, e, paths.includes('data.source'))),
    has_more: from + limit < newestFirst.length,
    url: '/v1/balance_transactions',
  };
}
