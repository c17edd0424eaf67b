import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { HouseholdShare } from './household-share.entity';
import { Producer } from './producer.entity';

/** One step of a producer's household share as its history shows it. */
export interface HouseholdShareStep {
  id: string;
  /** The share in force just before this step: null for the first. */
  fromBasisPoints: number | null;
  basisPoints: number;
  effectiveFrom: Date;
  reason: string;
  changedBy: string | null;
  createdAt: Date;
}

/** What a new step records. */
export interface NewHouseholdShare {
  producerId: string;
  basisPoints: number;
  effectiveFrom: Date;
  reason: string;
  changedBy: string | null;
}

type Row = Record<string, unknown>;

/** Every query on household shares. Each takes the EntityManager it runs on. */
@Injectable()
export class HouseholdShareRepository {
  /** The producer's steps in the order they take effect, each with the share it replaces. */
  async historyOf(em: EntityManager, producerId: string): Promise<HouseholdShareStep[]> {
    const rows = await em.execute<Row[]>(
      `select id, basis_points, effective_from, reason, changed_by, created_at,
              lag(basis_points) over (order by effective_from) as from_basis_points
         from household_share where producer_id = ? order by effective_from`,
      [producerId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      fromBasisPoints: r.from_basis_points === null ? null : Number(r.from_basis_points),
      basisPoints: Number(r.basis_points),
      effectiveFrom: new Date(r.effective_from as string),
      reason: r.reason as string,
      changedBy: (r.changed_by as string | null) ?? null,
      createdAt: new Date(r.created_at as string),
    }));
  }

  /** The share in force at `at` (the latest step that began by then); undefined before the first. */
  async inForceAt(em: EntityManager, producerId: string, at: Date): Promise<number | undefined> {
    const [row] = await em.execute<Row[]>(
      `select basis_points from household_share where producer_id = ? and effective_from <= ?
        order by effective_from desc limit 1`,
      [producerId, at],
    );
    return row ? Number(row.basis_points) : undefined;
  }

  /** Adds a step to the unit of work of `em`; written by its next flush. */
  add(em: EntityManager, step: NewHouseholdShare): HouseholdShare {
    return em.create(HouseholdShare, {
      producer: em.getReference(Producer, step.producerId),
      basisPoints: step.basisPoints,
      effectiveFrom: step.effectiveFrom,
      reason: step.reason,
      changedBy: step.changedBy,
    });
  }
}
