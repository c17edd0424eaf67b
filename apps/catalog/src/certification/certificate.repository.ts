import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { CertificateStatusName } from './product-certificate.entity';

/** A certificate as listings show it, with its product's and producer's names. */
export interface CertificateView {
  id: string;
  number: string;
  productId: string;
  producerId: string;
  productNameZh: string;
  producerName: string;
  validFrom: Date;
  validTo: Date;
  status: CertificateStatusName;
  certifiedBy: string | null;
  createdAt: Date;
  endedAt: Date | null;
  revokedBy: string | null;
  revocationReason: string;
}

/** Filters of a certificate listing; `producerIds` keeps those of these producers only. */
export interface CertificateQuery {
  productId?: string;
  producerId?: string;
  producerIds?: string[];
  status?: CertificateStatusName;
  offset: number;
  limit: number;
}

type Row = Record<string, unknown>;

const COLUMNS = `c.id, c.number, c.product_id, p.producer_id, p.name_zh, pr.legal_name, c.valid_from,
  c.valid_to, c.status, c.certified_by, c.created_at, c.ended_at, c.revoked_by, c.revocation_reason`;
const FROM = `from product_certificate c join product p on p.id = c.product_id
  join producer pr on pr.id = p.producer_id`;

const date = (v: unknown) => new Date(v as string | Date);

function toView(r: Row): CertificateView {
  return {
    id: r.id as string,
    number: r.number as string,
    productId: r.product_id as string,
    producerId: r.producer_id as string,
    productNameZh: r.name_zh as string,
    producerName: r.legal_name as string,
    validFrom: date(r.valid_from),
    validTo: date(r.valid_to),
    status: r.status as CertificateStatusName,
    certifiedBy: (r.certified_by as string | null) ?? null,
    createdAt: date(r.created_at),
    endedAt: r.ended_at ? date(r.ended_at) : null,
    revokedBy: (r.revoked_by as string | null) ?? null,
    revocationReason: r.revocation_reason as string,
  };
}

/** Every query on certificates. Each takes the EntityManager it runs on. */
@Injectable()
export class CertificateRepository {
  /** The next platform certificate number of `year`: JY-2026-000123 (one sequence, never reused). */
  async nextNumber(em: EntityManager, year: string): Promise<string> {
    const [{ n }] = await em.execute<Row[]>(`select nextval('product_certificate_number_seq') as n`);
    return `JY-${year}-${String(n).padStart(6, '0')}`;
  }

  async findView(em: EntityManager, id: string): Promise<CertificateView | undefined> {
    const rows = await em.execute<Row[]>(`select ${COLUMNS} ${FROM} where c.id = ?`, [id]);
    return rows[0] && toView(rows[0]);
  }

  async page(em: EntityManager, q: CertificateQuery): Promise<{ items: CertificateView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.productId) {
      where.push('c.product_id = ?');
      params.push(q.productId);
    }
    if (q.producerId) {
      where.push('p.producer_id = ?');
      params.push(q.producerId);
    }
    if (q.producerIds) {
      where.push('p.producer_id = any(?::uuid[])');
      params.push(`{${q.producerIds.join(',')}}`);
    }
    if (q.status) {
      where.push('c.status = ?');
      params.push(q.status);
    }
    const filter = where.length > 0 ? `where ${where.join(' and ')}` : '';
    const rows = await em.execute<Row[]>(
      `select ${COLUMNS}, count(*) over () as total ${FROM} ${filter}
        order by c.created_at desc, c.id limit ? offset ?`,
      [...params, q.limit, q.offset],
    );
    if (rows.length > 0) {
      return { items: rows.map(toView), total: Number(rows[0].total) };
    }
    const [{ total }] = await em.execute<Row[]>(`select count(*) as total ${FROM} ${filter}`, params);
    return { items: [], total: Number(total) };
  }

  /**
   * Ends a valid certificate (revoked with who and why, or expired) and takes its product off
   * sale; run it in a transaction. The conditional update on `status = 'valid'` makes a second
   * revocation, or a race with the expiry job, change nothing. Returns whether this call ended it.
   */
  async end(
    em: EntityManager,
    id: string,
    outcome: { status: 'revoked'; by: string; reason: string } | { status: 'expired' },
  ): Promise<boolean> {
    const ended = await em.execute<Row[]>(
      `update product_certificate set status = ?, ended_at = now(), revoked_by = ?, revocation_reason = ?
        where id = ? and status = 'valid' returning product_id`,
      [
        outcome.status,
        outcome.status === 'revoked' ? outcome.by : null,
        outcome.status === 'revoked' ? outcome.reason : '',
        id,
      ],
    );
    if (ended.length === 0) {
      return false;
    }
    await em.execute(
      `update product set status = case when status = 'active' then 'draft'::product_status else status end,
              relief_certification = '', updated_at = now() where id = ?`,
      [ended[0].product_id],
    );
    return true;
  }

  /** Valid certificates whose period has ended, oldest end first (what the expiry job ends). */
  async pastTheirEnd(em: EntityManager, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select id from product_certificate where status = 'valid' and valid_to <= now()
        order by valid_to limit ?`,
      [limit],
    );
    return rows.map((r) => r.id as string);
  }
}
