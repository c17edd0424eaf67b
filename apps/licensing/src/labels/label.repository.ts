import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { LicenceStatusName } from '../licences/licence.entity';
import { LabelBatch } from './label-batch.entity';
import type { PendingScans } from './label-scans.store';

/** A batch as answers show it, with its licence's number. */
export interface BatchView {
  id: string;
  licenceId: string;
  licenceNumber: string;
  producerId: string;
  productId: string;
  lotId: string;
  lotCode: string;
  quantity: number;
  productNameZh: string;
  orderedBy: string;
  createdAt: Date;
}

/** What one scan of an issued code found: the batch's copy of the label and its licence now. */
export interface ScannedLabel {
  code: string;
  scans: number;
  licenceNumber: string;
  licenceStatus: LicenceStatusName;
  /** The licence's period has ended (whatever the expiry job has done yet). */
  ended: boolean;
  productId: string;
  productNameZh: string;
  productNameEn: string;
  producerId: string;
  producerName: string;
  originVillage: string;
  lotId: string;
  lotCode: string;
  issuedAt: Date;
}

/** A label as read for scans: the batch's copy of it, its licence now, and its stored scans. */
export type LabelRow = Omit<ScannedLabel, 'ended'> & { validTo: Date | null };

export interface OverPlaced {
  code: string;
  batchId: string;
  productId: string;
  scans: number;
  places: number;
}

export interface OverScanned {
  code: string;
  batchId: string;
  productId: string;
  scans: number;
}

export interface RevokedScanCount {
  licenceId: string;
  licenceNumber: string;
  scans: number;
}

type Row = Record<string, unknown>;

const BATCH_COLUMNS = `b.id, b.licence_id, l.number, b.producer_id, b.product_id, b.lot_id, b.lot_code,
  b.quantity, b.product_name_zh, b.ordered_by, b.created_at`;

function toBatch(r: Row): BatchView {
  return {
    id: r.id as string,
    licenceId: r.licence_id as string,
    licenceNumber: (r.number as string | null) ?? '',
    producerId: r.producer_id as string,
    productId: r.product_id as string,
    lotId: r.lot_id as string,
    lotCode: r.lot_code as string,
    quantity: Number(r.quantity),
    productNameZh: r.product_name_zh as string,
    orderedBy: r.ordered_by as string,
    createdAt: new Date(r.created_at as string),
  };
}

/** Label batches and codes: every query of the labels. */
@Injectable()
export class LabelRepository {
  /** A batch and its codes (in sheet order), in the caller's transaction. */
  async insertBatch(
    em: EntityManager,
    batch: Omit<LabelBatch, 'id' | 'createdAt'>,
    codes: string[],
  ): Promise<string> {
    const row = em.create(LabelBatch, batch);
    await em.persist(row).flush();
    // One statement for up to 10,000 codes; the primary key refuses a code issued twice.
    await em.execute(
      `insert into label_code (code, batch_id, position)
       select c, ?::uuid, (o - 1)::int from unnest(?::text[]) with ordinality as t(c, o)`,
      [row.id, `{${codes.join(',')}}`],
    );
    return row.id;
  }

  async findBatch(em: EntityManager, id: string): Promise<BatchView | undefined> {
    const rows = await em.execute<Row[]>(
      `select ${BATCH_COLUMNS} from label_batch b join licence l on l.id = b.licence_id where b.id = ?`,
      [id],
    );
    return rows[0] ? toBatch(rows[0]) : undefined;
  }

  /** The codes of a batch from `offset`, in sheet order. */
  async codesOf(em: EntityManager, batchId: string, offset: number, limit: number): Promise<string[]> {
    const rows = await em.execute<Row[]>(
      `select code from label_code where batch_id = ? order by position offset ? limit ?`,
      [batchId, offset, limit],
    );
    return rows.map((r) => r.code as string);
  }

  /** An issued code's label and its licence now; undefined when no such code was issued. */
  async find(em: EntityManager, code: string): Promise<LabelRow | undefined> {
    const rows = await em.execute<Row[]>(
      `select c.code, c.scans, l.number, l.status, l.valid_to,
              b.product_id, b.product_name_zh, b.product_name_en, b.producer_id, b.producer_name,
              b.origin_village, b.lot_id, b.lot_code, b.created_at
         from label_code c join label_batch b on b.id = c.batch_id join licence l on l.id = b.licence_id
        where c.code = ?`,
      [code],
    );
    const r = rows[0];
    if (!r) {
      return undefined;
    }
    return {
      code: r.code as string,
      scans: Number(r.scans),
      licenceNumber: (r.number as string | null) ?? '',
      licenceStatus: r.status as LicenceStatusName,
      validTo: r.valid_to ? new Date(r.valid_to as string) : null,
      productId: r.product_id as string,
      productNameZh: r.product_name_zh as string,
      productNameEn: r.product_name_en as string,
      producerId: r.producer_id as string,
      producerName: r.producer_name as string,
      originVillage: r.origin_village as string,
      lotId: r.lot_id as string,
      lotCode: r.lot_code as string,
      issuedAt: new Date(r.created_at as string),
    };
  }

  /**
   * Writes the scans counted in memory: each code's counters moved by one statement (additions,
   * so concurrent writers from several instances all count), and the places it was scanned from
   * (one row per code and place).
   */
  async writeScans(em: EntityManager, scans: PendingScans[]): Promise<void> {
    if (scans.length === 0) {
      return;
    }
    await em.execute(
      `update label_code c
          set scans = c.scans + x.n, revoked_scans = c.revoked_scans + x.r,
              last_scanned_at = greatest(c.last_scanned_at, x.at)
         from jsonb_to_recordset(?::jsonb) as x(code text, n bigint, r bigint, at timestamptz)
        where c.code = x.code`,
      [
        JSON.stringify(
          scans.map((s) => ({
            code: s.code,
            n: s.scans,
            r: s.revokedScans,
            at: s.lastScannedAt.toISOString(),
          })),
        ),
      ],
      'run',
    );
    const places = scans.flatMap((s) => [...s.places].map((place) => ({ code: s.code, place })));
    if (places.length > 0) {
      await em.execute(
        // Only codes that still exist (a test may have truncated them meanwhile).
        `insert into label_scan_place (code, place)
         select x.code, x.place from jsonb_to_recordset(?::jsonb) as x(code text, place text)
           join label_code c on c.code = x.code
         on conflict do nothing`,
        [JSON.stringify(places)],
        'run',
      );
    }
  }

  /**
   * Records a gateway's batch of scans once: its id is inserted first, and a batch already
   * recorded (a retry) counts nothing again. Answers the codes' stored scans either way. In the
   * caller's transaction, so the id and the counts commit together.
   */
  async recordScanBatch(
    em: EntityManager,
    batchId: string,
    scans: PendingScans[],
  ): Promise<{ replayed: boolean; totals: { code: string; scans: number }[] }> {
    const inserted = await em.execute<Row[]>(
      `insert into label_scan_batch (id) values (?) on conflict do nothing returning id`,
      [batchId],
    );
    const replayed = inserted.length === 0;
    if (!replayed) {
      await this.writeScans(em, scans);
    }
    const rows = await em.execute<Row[]>(`select code, scans from label_code where code = any(?::text[])`, [
      `{${scans.map((s) => s.code).join(',')}}`,
    ]);
    return { replayed, totals: rows.map((r) => ({ code: r.code as string, scans: Number(r.scans) })) };
  }

  /** Forgets batch ids recorded before `before` (their senders stopped retrying long ago). */
  async pruneScanBatches(em: EntityManager, before: Date): Promise<number> {
    const res = await em.execute(`delete from label_scan_batch where recorded_at < ?`, [before], 'run');
    return Number((res as { affectedRows?: number }).affectedRows ?? 0);
  }

  /** Codes scanned from more than `threshold` places, most places first. */
  async overPlaced(em: EntityManager, threshold: number, limit: number): Promise<OverPlaced[]> {
    const rows = await em.execute<Row[]>(
      `select p.code, c.batch_id, b.product_id, c.scans, count(*) as places
         from label_scan_place p join label_code c on c.code = p.code join label_batch b on b.id = c.batch_id
        group by p.code, c.batch_id, b.product_id, c.scans
       having count(*) > ?
        order by places desc, p.code limit ?`,
      [threshold, limit],
    );
    return rows.map((r) => ({
      code: r.code as string,
      batchId: r.batch_id as string,
      productId: r.product_id as string,
      scans: Number(r.scans),
      places: Number(r.places),
    }));
  }

  /** Codes scanned more than `threshold` times, most scanned first. */
  async overScanned(em: EntityManager, threshold: number, limit: number): Promise<OverScanned[]> {
    const rows = await em.execute<Row[]>(
      `select c.code, c.batch_id, b.product_id, c.scans from label_code c
         join label_batch b on b.id = c.batch_id
        where c.scans > ? order by c.scans desc, c.code limit ?`,
      [threshold, limit],
    );
    return rows.map((r) => ({
      code: r.code as string,
      batchId: r.batch_id as string,
      productId: r.product_id as string,
      scans: Number(r.scans),
    }));
  }

  /** Per licence, the scans its codes had while it was revoked. */
  async revokedScans(em: EntityManager): Promise<RevokedScanCount[]> {
    const rows = await em.execute<Row[]>(
      `select l.id, l.number, sum(c.revoked_scans) as scans from label_code c
         join label_batch b on b.id = c.batch_id join licence l on l.id = b.licence_id
        where c.revoked_scans > 0 group by l.id, l.number order by scans desc`,
    );
    return rows.map((r) => ({
      licenceId: r.id as string,
      licenceNumber: (r.number as string | null) ?? '',
      scans: Number(r.scans),
    }));
  }
}
