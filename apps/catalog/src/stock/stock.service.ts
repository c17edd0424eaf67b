import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { ListingRefresh } from './listing-refresh.service';
import {
  byOrderSchema,
  holdSchema,
  restockSchema,
  type HoldStockInput,
  type HoldStockRequest,
  type RestockInput,
} from './stock.schemas';
import { HoldReleased, RestockExceedsSale, RestockMismatch, StockHoldNotFound } from './stock.errors';
import {
  allocateHold,
  asHoldRow,
  shortagesOf,
  sumByLot,
  toLines,
  type HeldLineView,
  type HoldOutcome,
  type Shortage,
} from './stock-lines.util';
import { StockHoldPlanner } from './stock-hold-planner';
import { StockHoldWriter } from './stock-hold-writer';
import { StockRepository, type HoldRow, type RestockAllocation } from './stock.repository';

/**
 * Who may move stock. The controller admits only orders to these methods (its signed assertion
 * checked by the gRPC interceptor); on top of that:
 * - HoldStock is made for a buyer checking out: the orders service forwards the buyer, who must be
 *   a consumer or an institution (the roles orders lets check out). A hold without a buyer, or for
 *   any other role, is refused.
 * - ReleaseStock, CommitStock and RestockUnits are the platform's own work: only orders calls
 *   them, acting for itself (cancellation, payment, refunds); the controller admits nobody else,
 *   and a user reaching them anyway is refused here too. The sweeper runs inside catalog.
 */
function requireBuyer(caller: CallerIdentity | null): void {
  if (caller?.role !== 'consumer' && caller?.role !== 'institution') {
    throw new PermissionDenied('stock is held for a buyer checking out: a consumer or an institution');
  }
}

/** Plans of a hold on unlocked reads before it is made under the locks instead. */
const MAX_PLANS = 3;

/** A repeat of a hold: what the first one held, unless it has been released since. */
function heldBefore(orderId: string, holds: HoldRow[]): HoldOutcome {
  if (holds.some((h) => h.status === 'released')) {
    throw new HoldReleased(orderId);
  }
  return { held: true, lines: toLines(holds), shortages: [] };
}

function requirePlatform(caller: CallerIdentity | null): void {
  if (caller) {
    throw new PermissionDenied('only the orders service moves held or sold stock');
  }
}

/**
 * Stock holds for checkout. Units come off a lot's on_hand when held, go back when released or
 * restocked, and stay off when committed. Every change runs in one transaction under a lock on
 * the order, and every lot is locked in id order before its on_hand changes.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly em: EntityManager,
    private readonly repo: StockRepository,
    private readonly planner: StockHoldPlanner,
    private readonly writer: StockHoldWriter,
    private readonly listings: ListingRefresh,
  ) {}

  /**
   * Holds every line of an order or none. Planned on an unlocked read (one statement, shared with
   * the plans asked for meanwhile: `StockHoldPlanner`), then
   * written by group commit (`StockHoldWriter`), which checks the planned units again under the
   * lots' locks; when stock moved in between, planned again, and after `MAX_PLANS` plans, held
   * under the locks from the start (`holdUnderLock`), so that a hot lot cannot starve an order.
   */
  async hold(caller: CallerIdentity | null, input: Loose<HoldStockInput>): Promise<HoldOutcome> {
    requireBuyer(caller);
    const req = parseRequest(holdSchema, input);
    const productIds = req.lines.map((l) => l.productId);
    for (let plan = 1; plan <= MAX_PLANS; plan++) {
      const { holds: existing, products, lots } = await this.planner.plan(req.orderId, productIds);
      if (existing.length > 0) {
        return heldBefore(req.orderId, existing);
      }
      const { holds, shortages } = allocateHold(req, products, lots);
      if (shortages.length > 0) {
        return { held: false, lines: [], shortages };
      }
      const outcome = await this.writer.write(req.orderId, holds);
      if (outcome === 'held') {
        this.listings.stockChanged();
        return { held: true, lines: toLines(holds.map(asHoldRow)), shortages: [] };
      }
      if (outcome === 'exists') {
        return heldBefore(req.orderId, await this.repo.holdsOfOrder(this.em.fork(), req.orderId));
      }
    }
    return this.holdUnderLock(req);
  }

  /** The hold in one transaction under the order's and the lots' locks, planned on what they guard. */
  private async holdUnderLock(req: HoldStockRequest): Promise<HoldOutcome> {
    const outcome = await this.em
      .fork()
      .transactional(async (tx): Promise<HoldOutcome & { fresh?: true }> => {
        await this.repo.lockOrder(tx, req.orderId);
        const existing = await this.repo.holdsOfOrder(tx, req.orderId);
        if (existing.length > 0) {
          return heldBefore(req.orderId, existing);
        }
        const products = await this.repo.saleableProducts(
          tx,
          req.lines.map((l) => l.productId),
        );
        const sources = [...new Set([...products.values()].map((p) => p.sourceId))];
        const lots = sources.length > 0 ? await this.repo.lockLotsOfProducts(tx, sources) : [];
        const { holds, shortages } = allocateHold(req, products, lots);
        if (shortages.length > 0) {
          return { held: false, lines: [], shortages }; // nothing written yet: the transaction ends clean
        }
        const taken = sumByLot(holds, -1);
        if ((await this.repo.adjustOnHand(tx, taken)) !== taken.size) {
          throw new Error(`stock moved under a lock on order ${req.orderId}`);
        }
        await this.repo.insertHolds(tx, holds);
        return { held: true, lines: toLines(holds.map(asHoldRow)), shortages: [], fresh: true };
      });
    const { fresh, ...answer } = outcome;
    if (fresh) {
      this.listings.stockChanged();
    }
    return answer;
  }

  /** Returns an order's held units to their lots; the units released by this call. */
  async release(caller: CallerIdentity | null, input: Loose<{ orderId: string }>): Promise<number> {
    requirePlatform(caller);
    const { orderId } = parseRequest(byOrderSchema, input);
    const units = await this.em.fork().transactional(async (tx) => {
      await this.repo.lockOrder(tx, orderId);
      const held = (await this.repo.holdsOfOrder(tx, orderId, true)).filter((h) => h.status === 'held');
      return this.putBack(tx, held);
    });
    if (units > 0) {
      this.listings.stockChanged();
    }
    return units;
  }

  /**
   * Makes an order's holds a sale. Released holds (the order was paid after its hold lapsed) are
   * taken again from the same lots when they still have the units; if any cannot be, nothing
   * changes and the shortages say what is missing.
   */
  async commit(
    caller: CallerIdentity | null,
    input: Loose<{ orderId: string }>,
  ): Promise<{ committed: boolean; lines: HeldLineView[]; shortages: Shortage[] }> {
    requirePlatform(caller);
    const { orderId } = parseRequest(byOrderSchema, input);
    let retaken = false;
    const outcome = await this.em.fork().transactional(async (tx) => {
      await this.repo.lockOrder(tx, orderId);
      const holds = await this.repo.holdsOfOrder(tx, orderId, true);
      if (holds.length === 0) {
        throw new StockHoldNotFound(orderId);
      }
      const released = holds.filter((h) => h.status === 'released');
      if (released.length > 0) {
        const onHand = await this.repo.lockLots(tx, [...new Set(released.map((h) => h.lotId))]);
        const needed = sumByLot(released, 1);
        const short = [...needed].filter(([lotId, units]) => (onHand.get(lotId) ?? 0) < units);
        if (short.length > 0) {
          const shortLots = new Set(short.map(([lotId]) => lotId));
          return {
            committed: false,
            lines: toLines(holds),
            shortages: shortagesOf(
              released.filter((h) => shortLots.has(h.lotId)),
              onHand,
            ),
          };
        }
        const taken = sumByLot(released, -1);
        if ((await this.repo.adjustOnHand(tx, taken)) !== taken.size) {
          throw new Error(`stock moved under a lock on order ${orderId}`);
        }
        retaken = true;
      }
      const toCommit = holds.filter((h) => h.status !== 'committed');
      await this.repo.setStatus(
        tx,
        toCommit.map((h) => h.id),
        'committed',
      );
      return {
        committed: true,
        lines: toLines(holds.map((h) => ({ ...h, status: 'committed' as const }))),
        shortages: [],
      };
    });
    if (retaken) {
      this.listings.stockChanged();
    }
    return outcome;
  }

  /**
   * Puts returned units of a sale back on the lots they came from, most recently produced first.
   * A repeat of the same restock id answers what the first did.
   */
  async restock(caller: CallerIdentity | null, input: Loose<RestockInput>): Promise<RestockAllocation[]> {
    requirePlatform(caller);
    const req = parseRequest(restockSchema, input);
    let returned = false;
    const allocations = await this.em.fork().transactional(async (tx) => {
      await this.repo.lockOrder(tx, req.orderId);
      const previous = await this.repo.findRestock(tx, req.restockId);
      if (previous) {
        if (
          previous.orderId !== req.orderId ||
          previous.productId !== req.productId ||
          previous.quantity !== req.quantity
        ) {
          throw new RestockMismatch(req.restockId);
        }
        return previous.allocations;
      }
      const sold = (await this.repo.holdsOfOrder(tx, req.orderId, true)).filter(
        (h) => h.productId === req.productId && h.status === 'committed',
      );
      if (sold.length === 0) {
        throw new StockHoldNotFound(req.orderId);
      }
      const returnable = sold.reduce((sum, h) => sum + h.quantity - h.restocked, 0);
      if (returnable < req.quantity) {
        throw new RestockExceedsSale(req.quantity, returnable);
      }
      const ages = await this.repo.lotAges(
        tx,
        sold.map((h) => h.lotId),
      );
      sold.sort((a, b) => (ages.get(b.lotId) ?? '').localeCompare(ages.get(a.lotId) ?? ''));
      let wanted = req.quantity;
      const restocked = new Map<string, number>();
      const allocations: RestockAllocation[] = [];
      for (const hold of sold) {
        const units = Math.min(wanted, hold.quantity - hold.restocked);
        if (units > 0) {
          restocked.set(hold.id, units);
          allocations.push({ lotId: hold.lotId, lotCode: hold.snapshot.lotCode, quantity: units });
          wanted -= units;
        }
      }
      await this.repo.lockLots(
        tx,
        allocations.map((a) => a.lotId),
      );
      const back = new Map(allocations.map((a) => [a.lotId, a.quantity]));
      if ((await this.repo.adjustOnHand(tx, back)) !== back.size) {
        throw new Error(`stock moved under a lock on order ${req.orderId}`);
      }
      await this.repo.addRestocked(tx, restocked);
      await this.repo.insertRestock(tx, { ...req, allocations });
      returned = true;
      return allocations;
    });
    if (returned) {
      this.listings.stockChanged();
    }
    return allocations;
  }

  /**
   * Releases holds still held `graceMs` past their expiry, in batches; safe to run on every
   * replica at once (claims skip rows locked elsewhere). Returns the units released.
   */
  async releaseExpired(graceMs: number, batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const { units, claimed } = await this.em.fork().transactional(async (tx) => {
        const expired = await this.repo.claimExpired(tx, new Date(Date.now() - graceMs), batch);
        return { units: await this.putBack(tx, expired), claimed: expired.length };
      });
      total += units;
      if (units > 0) {
        this.listings.stockChanged();
      }
      if (claimed < batch) {
        return total;
      }
    }
  }

  private async putBack(tx: EntityManager, held: HoldRow[]): Promise<number> {
    if (held.length === 0) {
      return 0;
    }
    const back = sumByLot(held, 1);
    await this.repo.lockLots(tx, [...back.keys()]);
    if ((await this.repo.adjustOnHand(tx, back)) !== back.size) {
      throw new Error('a released hold did not fit back on its lot');
    }
    await this.repo.setStatus(
      tx,
      held.map((h) => h.id),
      'released',
    );
    return held.reduce((sum, h) => sum + h.quantity, 0);
  }
}
