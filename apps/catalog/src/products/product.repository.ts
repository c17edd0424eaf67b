import { EntityRepository } from '@mikro-orm/postgresql';
import type { Product, ProductStatusName } from './product.entity';
import type { ProducerStatusName } from '../producers/producer.entity';
import { certifiedNowSql } from '../certification/certified-now.util';
import { licenceNumberNowSql } from '../licences/licensed-now.util';

/** A product as listings show it: with its producer's name and town and its stock on hand. */
export interface ProductView {
  id: string;
  producerId: string;
  producerName: string;
  producerStatus: ProducerStatusName;
  town: string;
  nameZh: string;
  nameEn: string;
  category: string;
  unit: string;
  priceFen: number;
  currency: string;
  imageUrls: string[];
  originVillage: string;
  reliefCertification: string;
  status: ProductStatusName;
  /** It holds a valid certificate now. */
  certified: boolean;
  /** The number of the LOGO licence covering it now; null when none does. */
  licenceNumber: string | null;
  stock: number;
  /** The product whose lots it sells from, when not its own. */
  stockSourceProductId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Filters of a product listing. */
export interface ProductQuery {
  query?: string;
  category?: string;
  town?: string;
  producerId?: string;
  /** Only products on sale (the public view): active, of verified producers, certified now. */
  listedOnly: boolean;
  offset: number;
  limit: number;
}

const VIEW_COLUMNS = `
  p.id, p.producer_id, pr.legal_name as producer_name, pr.status as producer_status, pr.town,
  p.name_zh, p.name_en, p.category, p.unit, p.price_fen, p.currency, p.image_urls, p.origin_village,
  p.relief_certification, p.status, p.created_at, p.updated_at, p.stock_source_id,
  ${certifiedNowSql('p')} as certified,
  ${licenceNumberNowSql('p')} as licence_number,
  coalesce((select sum(l.on_hand) from lot l where l.product_id = coalesce(p.stock_source_id, p.id)), 0) as stock`;

/** On sale: active, of a verified producer, and certified now. */
const LISTED = `p.status = 'active' and pr.status = 'verified' and ${certifiedNowSql('p')}`;

type Row = Record<string, unknown>;

function toView(row: Row): ProductView {
  return {
    id: row.id as string,
    producerId: row.producer_id as string,
    producerName: row.producer_name as string,
    producerStatus: row.producer_status as ProducerStatusName,
    town: row.town as string,
    nameZh: row.name_zh as string,
    nameEn: row.name_en as string,
    category: row.category as string,
    unit: row.unit as string,
    priceFen: Number(row.price_fen),
    currency: row.currency as string,
    imageUrls: row.image_urls as string[],
    originVillage: row.origin_village as string,
    reliefCertification: row.relief_certification as string,
    status: row.status as ProductStatusName,
    certified: row.certified === true,
    licenceNumber: (row.licence_number as string | null) ?? null,
    stock: Number(row.stock),
    stockSourceProductId: (row.stock_source_id as string | null) ?? null,
    createdAt: new Date(row.created_at as string | Date),
    updatedAt: new Date(row.updated_at as string | Date),
  };
}

/** Every query on products. Listings are one SQL statement each (no N+1). */
export class ProductRepository extends EntityRepository<Product> {
  async findView(id: string): Promise<ProductView | undefined> {
    const rows = await this.em.execute<Row[]>(
      `select ${VIEW_COLUMNS} from product p join producer pr on pr.id = p.producer_id where p.id = ?`,
      [id],
    );
    return rows[0] && toView(rows[0]);
  }

  /** Several products by id, in no particular order; unknown ids are left out. */
  async findViews(ids: string[], listedOnly: boolean): Promise<ProductView[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.em.execute<Row[]>(
      `select ${VIEW_COLUMNS} from product p join producer pr on pr.id = p.producer_id
        where p.id in (${ids.map(() => '?').join(', ')})
          ${listedOnly ? `and ${LISTED}` : ''}`,
      ids,
    );
    return rows.map(toView);
  }

  async pageViews(q: ProductQuery): Promise<{ items: ProductView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.listedOnly) {
      where.push(LISTED);
    }
    if (q.query) {
      const pattern = `%${q.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push('(p.name_zh ilike ? or p.name_en ilike ?)');
      params.push(pattern, pattern);
    }
    if (q.category) {
      where.push('p.category = ?');
      params.push(q.category);
    }
    if (q.town) {
      where.push('pr.town = ?');
      params.push(q.town);
    }
    if (q.producerId) {
      where.push('p.producer_id = ?');
      params.push(q.producerId);
    }
    const filter = where.length ? `where ${where.join(' and ')}` : '';
    const from = `from product p join producer pr on pr.id = p.producer_id ${filter}`;
    const rows = await this.em.execute<Row[]>(
      `select ${VIEW_COLUMNS}, count(*) over () as total ${from}
       order by p.created_at desc, p.id limit ? offset ?`,
      [...params, q.limit, q.offset],
    );
    if (rows.length > 0) {
      return { items: rows.map(toView), total: Number(rows[0].total) };
    }
    const [{ total }] = await this.em.execute<Row[]>(`select count(*) as total ${from}`, params);
    return { items: [], total: Number(total) };
  }

  /** Products waiting for certification: not archived, no valid certificate, producer not suspended. */
  async uncertified(limit: number): Promise<{ items: ProductView[]; total: number }> {
    const from = `from product p join producer pr on pr.id = p.producer_id
       where p.status <> 'archived' and pr.status <> 'suspended' and not ${certifiedNowSql('p')}`;
    const rows = await this.em.execute<Row[]>(
      `select ${VIEW_COLUMNS}, count(*) over () as total ${from} order by p.created_at, p.id limit ?`,
      [limit],
    );
    return { items: rows.map(toView), total: rows.length > 0 ? Number(rows[0].total) : 0 };
  }
}
