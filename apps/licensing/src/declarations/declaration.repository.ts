import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { LicenceStatusName } from '../licences/licence.entity';
import { DeclarationPayment } from './declaration-payment.entity';
import { SalesDeclaration } from './sales-declaration.entity';

/** A licence as a declaration needs it: its producer, terms and period. */
export interface DeclaredLicence {
  id: string;
  number: string | null;
  producerId: string;
  status: LicenceStatusName;
  commitmentBps: number;
  minPerUnitFen: number;
  validFrom: Date | null;
  validTo: Date | null;
}

export interface PaymentView {
  id: string;
  declarationId: string;
  amountFen: number;
  reference: string;
  idempotencyKey: string;
  recordedBy: string;
  recordedAt: Date;
  postedAt: Date | null;
}

export type DeclarationView = Omit<SalesDeclaration, 'postedAt'> & {
  licenceNumber: string;
  postedAt: Date | null;
  payments: PaymentView[];
};

/** A quarter of a live licence with no declaration past its grace days. */
export interface OverdueQuarter {
  licenceId: string;
  licenceNumber: string;
  producerId: string;
  quarter: string;
  dueAt: Date;
  daysOverdue: number;
}

type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

function toPayment(r: Row): PaymentView {
  return {
    id: r.id as string,
    declarationId: r.declaration_id as string,
    amountFen: Number(r.amount_fen),
    reference: r.reference as string,
    idempotencyKey: r.idempotency_key as string,
    recordedBy: r.recorded_by as string,
    recordedAt: new Date(r.recorded_at as string),
    postedAt: date(r.posted_at),
  };
}

function toDeclaration(r: Row, payments: PaymentView[]): DeclarationView {
  return {
    id: r.id as string,
    licenceId: r.licence_id as string,
    licenceNumber: (r.number as string | null) ?? '',
    producerId: r.producer_id as string,
    quarter: r.quarter as string,
    units: Number(r.units),
    revenueFen: Number(r.revenue_fen),
    commitmentBps: Number(r.commitment_bps),
    minPerUnitFen: Number(r.min_per_unit_fen),
    commitmentFen: Number(r.commitment_fen),
    paidFen: Number(r.paid_fen),
    note: r.note as string,
    declaredBy: r.declared_by as string,
    declaredAt: new Date(r.declared_at as string),
    postedAt: date(r.posted_at),
    payments,
  };
}

const DECLARATION_COLUMNS = `d.*, l.number`;

/** Declarations of off-platform sales and their payments: every query of them. */
@Injectable()
export class DeclarationRepository {
  async licence(em: EntityManager, id: string): Promise<DeclaredLicence | undefined> {
    const rows = await em.execute<Row[]>(
      `select id, number, producer_id, status, commitment_bps, min_per_unit_fen, valid_from, valid_to
         from licence where id = ?`,
      [id],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id as string,
          number: (r.number as string | null) ?? null,
          producerId: r.producer_id as string,
          status: r.status as LicenceStatusName,
          commitmentBps: Number(r.commitment_bps),
          minPerUnitFen: Number(r.min_per_unit_fen),
          validFrom: date(r.valid_from),
          validTo: date(r.valid_to),
        }
      : undefined;
  }

  /** Writes a declaration; the unique (licence, quarter) refuses a second one. */
  async insertDeclaration(
    em: EntityManager,
    row: Omit<SalesDeclaration, 'paidFen' | 'declaredAt'>,
  ): Promise<void> {
    await em.insert(SalesDeclaration, row);
  }

  async find(em: EntityManager, id: string): Promise<DeclarationView | undefined> {
    const rows = await em.execute<Row[]>(
      `select ${DECLARATION_COLUMNS} from sales_declaration d join licence l on l.id = d.licence_id where d.id = ?`,
      [id],
    );
    if (!rows[0]) {
      return undefined;
    }
    const payments = await em.execute<Row[]>(
      `select * from declaration_payment where declaration_id = ? order by recorded_at, id`,
      [id],
    );
    return toDeclaration(rows[0], payments.map(toPayment));
  }

  async page(
    em: EntityManager,
    q: {
      licenceId?: string;
      producerId?: string;
      producerIds?: string[];
      quarter?: string;
      offset: number;
      limit: number;
    },
  ): Promise<{ items: DeclarationView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.licenceId) {
      where.push('d.licence_id = ?');
      params.push(q.licenceId);
    }
    if (q.producerId) {
      where.push('d.producer_id = ?');
      params.push(q.producerId);
    }
    if (q.producerIds) {
      where.push(`d.producer_id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`);
      params.push(JSON.stringify(q.producerIds));
    }
    if (q.quarter) {
      where.push('d.quarter = ?');
      params.push(q.quarter);
    }
    const clause = where.length > 0 ? `where ${where.join(' and ')}` : '';
    const rows = await em.execute<Row[]>(
      `select ${DECLARATION_COLUMNS}, count(*) over () as total
         from sales_declaration d join licence l on l.id = d.licence_id ${clause}
        order by d.quarter desc, d.declared_at desc, d.id offset ? limit ?`,
      [...params, q.offset, q.limit],
    );
    const ids = rows.map((r) => r.id as string);
    const payments =
      ids.length === 0
        ? []
        : (
            await em.execute<Row[]>(
              `select * from declaration_payment
                where declaration_id in (select (jsonb_array_elements_text(?::jsonb))::uuid)
                order by recorded_at, id`,
              [JSON.stringify(ids)],
            )
          ).map(toPayment);
    return {
      items: rows.map((r) =>
        toDeclaration(
          r,
          payments.filter((p) => p.declarationId === r.id),
        ),
      ),
      total: rows[0] ? Number(rows[0].total) : 0,
    };
  }

  /** Records a payment unless this key was used on the declaration; answers whether it was written. */
  async insertPayment(
    tx: EntityManager,
    row: Omit<DeclarationPayment, 'recordedAt' | 'postedAt'>,
  ): Promise<boolean> {
    const rows = await tx.execute<Row[]>(
      `insert into declaration_payment (id, declaration_id, amount_fen, reference, idempotency_key, recorded_by)
       values (?, ?, ?, ?, ?, ?)
       on conflict (declaration_id, idempotency_key) do nothing
       returning id`,
      [row.id, row.declarationId, row.amountFen, row.reference, row.idempotencyKey, row.recordedBy],
    );
    return rows.length > 0;
  }

  async paymentByKey(
    em: EntityManager,
    declarationId: string,
    key: string,
  ): Promise<PaymentView | undefined> {
    const rows = await em.execute<Row[]>(
      `select * from declaration_payment where declaration_id = ? and idempotency_key = ?`,
      [declarationId, key],
    );
    return rows[0] ? toPayment(rows[0]) : undefined;
  }

  /**
   * Adds a payment to what was paid, only while it stays within the commitment (a conditional
   * update; the CHECK `sales_declaration_paid_within_due` backs it). Answers false when it would not.
   */
  async addPaid(tx: EntityManager, declarationId: string, amountFen: number): Promise<boolean> {
    const rows = await tx.execute<Row[]>(
      `update sales_declaration set paid_fen = paid_fen + ?
        where id = ? and paid_fen + ? <= commitment_fen returning id`,
      [amountFen, declarationId, amountFen],
    );
    return rows.length > 0;
  }

  async markDeclarationPosted(em: EntityManager, id: string): Promise<void> {
    await em.execute(
      `update sales_declaration set posted_at = now() where id = ? and posted_at is null`,
      [id],
      'run',
    );
  }

  async markPaymentPosted(em: EntityManager, id: string): Promise<void> {
    await em.execute(
      `update declaration_payment set posted_at = now() where id = ? and posted_at is null`,
      [id],
      'run',
    );
  }

  /** Declarations the ledger has not acknowledged, oldest first. */
  async unpostedDeclarations(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select id from sales_declaration where posted_at is null order by declared_at limit ?`,
      [limit],
    );
    return rows.map((r) => r.id as string);
  }

  /** Payments the ledger has not acknowledged whose declaration it has, oldest first. */
  async unpostedPayments(em: EntityManager, limit: number): Promise<PaymentView[]> {
    const rows = await em.execute<Row[]>(
      `select p.* from declaration_payment p join sales_declaration d on d.id = p.declaration_id
        where p.posted_at is null and d.posted_at is not null order by p.recorded_at limit ?`,
      [limit],
    );
    return rows.map(toPayment);
  }

  /**
   * Quarters (China time) of approved or suspended licences, from the quarter of their start to
   * the one containing their end, that ended more than `graceDays` before `now` and have no
   * declaration: most overdue first.
   */
  async overdue(em: EntityManager, graceDays: number, now: Date, limit: number): Promise<OverdueQuarter[]> {
    const rows = await em.execute<Row[]>(
      `select l.id, l.number, l.producer_id,
              to_char(q.start, 'YYYY-"Q"Q') as quarter,
              ((q.start + interval '3 months') at time zone 'Asia/Shanghai') + make_interval(days => ?) as due_at
         from licence l
         cross join lateral generate_series(
                date_trunc('quarter', l.valid_from at time zone 'Asia/Shanghai'),
                l.valid_to at time zone 'Asia/Shanghai' - interval '1 microsecond',
                interval '3 months') as q(start)
        where l.status in ('approved', 'suspended')
          and ((q.start + interval '3 months') at time zone 'Asia/Shanghai') + make_interval(days => ?) <= ?::timestamptz
          and not exists (select 1 from sales_declaration d
                           where d.licence_id = l.id and d.quarter = to_char(q.start, 'YYYY-"Q"Q'))
        order by due_at, l.number
        limit ?`,
      [graceDays, graceDays, now.toISOString(), limit],
    );
    return rows.map((r) => {
      const dueAt = new Date(r.due_at as string);
      return {
        licenceId: r.id as string,
        licenceNumber: (r.number as string | null) ?? '',
        producerId: r.producer_id as string,
        quarter: r.quarter as string,
        dueAt,
        daysOverdue: Math.floor((now.getTime() - dueAt.getTime()) / 86_400_000),
      };
    });
  }
}
