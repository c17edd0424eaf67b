import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import type { z } from 'zod';
import {
  BuyerAllowanceRepository,
  type BuyerAllowanceRecord,
  type BuyerUsage,
} from './buyer-allowance.repository';
import { HeldUnitsLimit, UnpaidOrderLimit } from './buyers.errors';
import { buyerAllowanceSchema } from './buyers.schemas';

export const BUYER_LIMITS = Symbol('BUYER_LIMITS');

/** How much one buyer may have waiting for payment at once. */
export interface BuyerLimits {
  maxUnpaidOrders: number;
  maxHeldUnits: number;
}

/**
 * Limits what one buyer may hold unpaid, so that no account can keep the stock of a product
 * from everyone else by checking out without paying (and again when the holds lapse). Each
 * buyer has the service's defaults unless a relief officer set an allowance for them.
 */
@Injectable()
export class BuyerLimitsService {
  constructor(
    private readonly em: EntityManager,
    private readonly allowances: BuyerAllowanceRepository,
    @Inject(BUYER_LIMITS) private readonly defaults: BuyerLimits,
  ) {}

  /**
   * Throws UnpaidOrderLimit or HeldUnitsLimit when one more unpaid order of `units` units would
   * pass the buyer's limits: a cheap look before any stock is held, so that a buyer at the limit
   * does not hold stock only to give it back. The decision is taken again under the buyer's lock
   * when the order is written (`OrderRepository.placeMany`). `usage` is the buyer's as read at
   * checkout (`OrderRepository.findForCheckout` through `CheckoutLookup`, or `BuyerAllowanceRepository.usageOf`).
   */
  assertRoomWithin(usage: BuyerUsage, units: number): void {
    const limits = usage.allowance ?? this.defaults;
    if (usage.unpaidOrders >= limits.maxUnpaidOrders) {
      throw new UnpaidOrderLimit(limits.maxUnpaidOrders);
    }
    if (usage.heldUnits + units > limits.maxHeldUnits) {
      throw new HeldUnitsLimit(limits.maxHeldUnits, usage.heldUnits, units);
    }
  }

  /** A relief officer sets a buyer's allowance, replacing any before it. */
  async setAllowance(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof buyerAllowanceSchema>>,
  ): Promise<BuyerAllowanceRecord> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(buyerAllowanceSchema, input);
    return this.allowances.upsert(this.em.fork(), { ...req, grantedBy: officer.userId });
  }
}
