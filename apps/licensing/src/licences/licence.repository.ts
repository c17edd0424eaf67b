import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preparedQuery } from '@yugong/shared/orm';
import { randomUUID } from 'node:crypto';
import { ProductAlreadyLicensed } from './licence.errors';
import { isLive, sourcesOf, type LicenceActionName } from './licence-state';
import { LicenceProduct } from './licence-product.entity';
import { LicenceStatusChange } from './licence-status-change.entity';
import { Licence, type LicenceStatusName } from './licence.entity';

/** A licence as answers show it: its products, whether it covers them now, and its history. */
export interface LicenceView {
  id: string;
  number: string | null;
  producerId: string;
  productIds: string[];
  commitmentBps: number;
  minPerUnitFen: number;
  status: LicenceStatusName;
  validFrom: Date | null;
  validTo: Date | null;
  note: string;
  appliedBy: string;
  createdAt: Date;
  updatedAt: Date;
  covering: boolean;
  version: number;
  history: HistoryEntry[];
}

export interface HistoryEntry {
  fromStatus: string | null;
  toStatus: string;
  changedBy: string | null;
  reason: string;
  changedAt: Date;
}

/** The terms of the live licence covering a product now. */
export interface CoveringTerms {
  productId: string;
  licenceId: string;
  licenceNumber: string;
  commitmentBps: number;
  minPerUnitFen: number;
  validTo: Date;
}

/** Filters of a licence listing; `producerIds` keeps those of these producers only. */
export interface LicenceQuery {
  producerId?: string;
  producerIds?: string[];
  productId?: string;
  status?: LicenceStatusName;
  offset: number;
  limit: number;
}

type Row = Record<string, unknown>;

const COVERING = `(l.status = 'approved' and l.valid_from <= now() and l.valid_to > now())`;
const COLUMNS = `l.id, l.number, l.producer_id, l.commitment_bps, l.min_per_unit_fen, l.status,
  l.valid_from, l.valid_to, l.note, l.applied_by, l.created_at, l.updated_at, l.version,
  ${COVERING} as covering,
  array(select lp.product_id::text from licence_product lp where lp.licence_id = l.id order by lp.product_id) as product_ids`;

const date = (v: unknown) => new Date(v as string | Date);
const maybeDate = (v: unknown) => (v ? date(v) : null);

function toView(r: Row): LicenceView {
  return {
    id: r.id as string,
    number: (r.number as string | null) ?? null,
    producerId: r.producer_id as string,
    productIds: r.product_ids as string[],
    commitmentBps: Number(r.commitment_bps),
    minPerUnitFen: Number(r.min_per_unit_fen),
    status: r.status as LicenceStatusName,
    validFrom: maybeDate(r.valid_from),
    validTo: maybeDate(r.valid_to),
    note: r.note as string,
    appliedBy: r.applied_by as string,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    covering: r.covering === true,
    version: Number(r.version),
    history: [],
  };
}

/** Every query on licences. Each takes the EntityManager it runs on. */
@Injectable()
export class LicenceRepository {
  /** Writes an application with its products and the first line of its history. */
  async insertApplication(
    em: EntityManager,
    application: Pick<Licence, 'producerId' | 'commitmentBps' | 'minPerUnitFen' | 'note' | 'appliedBy'>,
    productIds: string[],
  ): Promise<string> {
    const licence = em.create(Licence, application);
    for (const productId of productIds) {
      em.create(LicenceProduct, { licenceId: licence.id, productId, live: false });
    }
    em.create(LicenceStatusChange, {
      licenceId: licence.id,
      fromStatus: null,
      toStatus: 'pending',
      changedBy: application.appliedBy,
      reason: application.note,
    });
    await em.flush();
    return licence.id;
  }

  /** The next licence number of `year`: LOGO-2026-000123 (one sequence, never reused). */
  async nextNumber(em: EntityManager, year: string): Promise<string> {
    const [{ n }] = await em.execute<Row[]>(`select nextval('licence_number_seq') as n`);
    return `LOGO-${year}-${String(n).padStart(6, '0')}`;
  }

  async findView(em: EntityManager, id: string, withHistory = false): Promise<LicenceView | undefined> {
    const rows = await em.execute<Row[]>(`select ${COLUMNS} from licence l where l.id = ?`, [id]);
    if (!rows[0]) {
      return undefined;
    }
    const view = toView(rows[0]);
    if (withHistory) {
      const changes = await em.find(
        LicenceStatusChange,
        { licenceId: id },
        { orderBy: { changedAt: 'asc', id: 'asc' } },
      );
      view.history = changes.map((c) => ({
        fromStatus: c.fromStatus ?? null,
        toStatus: c.toStatus,
        changedBy: c.changedBy ?? null,
        reason: c.reason,
        changedAt: c.changedAt,
      }));
    }
    return view;
  }

  async page(em: EntityManager, q: LicenceQuery): Promise<{ items: LicenceView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.producerId) {
      where.push('l.producer_id = ?');
      params.push(q.producerId);
    }
    if (q.producerIds) {
      where.push('l.producer_id = any(?::uuid[])');
      params.push(`{${q.producerIds.join(',')}}`);
    }
    if (q.productId) {
      where.push(
        'exists (select 1 from licence_product lp where lp.licence_id = l.id and lp.product_id = ?)',
      );
      params.push(q.productId);
    }
    if (q.status) {
      where.push('l.status = ?');
      params.push(q.status);
    }
    const filter = where.length > 0 ? `where ${where.join(' and ')}` : '';
    // The review queue reads oldest first; every other listing newest first.
    const order = q.status === 'pending' ? 'l.created_at asc' : 'l.created_at desc';
    const rows = await em.execute<Row[]>(
      `select ${COLUMNS}, count(*) over () as total from licence l ${filter}
        order by ${order}, l.id limit ? offset ?`,
      [...params, q.limit, q.offset],
    );
    if (rows.length > 0) {
      return { items: rows.map(toView), total: Number(rows[0].total) };
    }
    const [{ total }] = await em.execute<Row[]>(`select count(*) as total from licence l ${filter}`, params);
    return { items: [], total: Number(total) };
  }

  /**
   * Moves a licence by `action` if it stands where the action starts (a conditional update, so a
   * racing officer or the expiry job changes nothing twice), marks its products live or not, and
   * appends the move to its history; run it in a transaction. Returns the status it left, or
   * undefined when it was not in a state the action moves from.
   */
  async move(
    em: EntityManager,
    id: string,
    action: LicenceActionName,
    to: LicenceStatusName,
    change: { by: string | null; reason: string; validFrom?: Date; validTo?: Date; number?: string },
  ): Promise<LicenceStatusName | undefined> {
    const moved = await em.execute<Row[]>(
      `update licence l set status = ?, updated_at = now(), version = version + 1,
              valid_from = coalesce(?, valid_from), valid_to = coalesce(?, valid_to),
              number = coalesce(number, ?)
        from (select id, status from licence where id = ? for update) old
        where l.id = old.id and old.status = any(?::licence_status[])
        returning old.status as from_status`,
      [
        to,
        change.validFrom ?? null,
        change.validTo ?? null,
        change.number ?? null,
        id,
        `{${sourcesOf(action).join(',')}}`,
      ],
    );
    if (moved.length === 0) {
      return undefined;
    }
    try {
      await em.execute(`update licence_product set live = ? where licence_id = ?`, [isLive(to), id]);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ProductAlreadyLicensed();
      }
      throw error;
    }
    const from = moved[0].from_status as LicenceStatusName;
    await em.insert(LicenceStatusChange, {
      id: randomUUID(),
      licenceId: id,
      fromStatus: from,
      toStatus: to,
      changedBy: change.by,
      reason: change.reason,
      changedAt: new Date(),
    });
    return from;
  }

  /** Approved or suspended licences whose period has ended, oldest end first (the expiry job's work). */
  async pastTheirEnd(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select id from licence where status in ('approved', 'suspended') and valid_to <= now()
        order by valid_to limit ?`,
      [limit],
    );
    return rows.map((r) => r.id as string);
  }

  /** Licences whose coverage catalog has not been told of yet. */
  async unsynced(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select id from licence where synced_version < version order by updated_at limit ?`,
      [limit],
    );
    return rows.map((r) => r.id as string);
  }

  /** Records that catalog knows the licence as of `version` (never moves back). */
  async markSynced(em: EntityManager, id: string, version: number): Promise<void> {
    await em.execute(`update licence set synced_version = ? where id = ? and synced_version < ?`, [
      version,
      id,
      version,
    ]);
  }

  /**
   * The terms of the licences covering these products now, and how long until time alone changes
   * that answer, by the database's clock: until the start or end of an approved licence of theirs
   * (null when none has one ahead).
   */
  async coveringTerms(
    em: EntityManager,
    productIds: string[],
  ): Promise<{ terms: CoveringTerms[]; standsForMs: number | null }> {
    // Every checkout batch orders cannot answer from what it keeps asks: a named statement, planned
    // once per connection. The approved licences not yet ended: those begun cover now; every one's
    // next boundary counts.
    const { rows } = await preparedQuery(em, {
      name: 'licence_covering_terms',
      text: `with approved as (
          select lp.product_id, l.id, l.number, l.commitment_bps, l.min_per_unit_fen, l.valid_from, l.valid_to,
                 ${COVERING} as covering
            from licence_product lp join licence l on l.id = lp.licence_id
           where lp.live and lp.product_id = any($1::uuid[]) and l.status = 'approved' and l.valid_to > now())
        select a.*,
               (select floor(extract(epoch from
                         min(case when b.valid_from > now() then b.valid_from else b.valid_to end) - now()) * 1000)
                  from approved b) as stands_for_ms
          from approved a`,
      values: [productIds],
    });
    return {
      terms: rows
        .filter((r) => r.covering === true)
        .map((r) => ({
          productId: r.product_id as string,
          licenceId: r.id as string,
          licenceNumber: r.number as string,
          commitmentBps: Number(r.commitment_bps),
          minPerUnitFen: Number(r.min_per_unit_fen),
          validTo: date(r.valid_to),
        })),
      standsForMs: rows.length > 0 ? Number(rows[0]!.stands_for_ms) : null,
    };
  }
}
