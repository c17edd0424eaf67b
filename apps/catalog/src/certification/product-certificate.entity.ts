import {
  Check,
  Entity,
  Enum,
  Index,
  ManyToOne,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
  type Rel,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Product } from '../products/product.entity';

export const CERTIFICATE_STATUSES = ['valid', 'revoked', 'expired'] as const;
export type CertificateStatusName = (typeof CERTIFICATE_STATUSES)[number];

/**
 * A product's relief certification (扶贫产品认定), issued by the platform when an officer certifies
 * it. A product is sold only while it holds a `valid` certificate whose period contains now.
 * PostgreSQL holds the rules that matter: a number is issued once, the period is not empty, and
 * a product holds at most one valid certificate (a partial unique index, see the migration).
 */
@Entity({ tableName: 'product_certificate' })
@Check({ name: 'product_certificate_period', expression: 'valid_from < valid_to' })
@Index({ properties: ['status', 'validTo'] })
export class ProductCertificate {
  [OptionalProps]?: 'status' | 'createdAt' | 'endedAt' | 'revokedBy' | 'revocationReason' | 'certifiedBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Unique({ name: 'product_certificate_number_unique' })
  number!: string;

  @ManyToOne(() => Product, { deleteRule: 'restrict' })
  product!: Rel<Product>;

  @Property({ type: 'timestamptz' })
  validFrom!: Date;

  /** Exclusive. */
  @Property({ type: 'timestamptz' })
  validTo!: Date;

  @Enum({ items: () => [...CERTIFICATE_STATUSES], nativeEnumName: 'certificate_status', default: 'valid' })
  status: CertificateStatusName = 'valid';

  /** The officer who certified; null when the platform did (demo data). */
  @Property({ type: 'uuid', nullable: true })
  certifiedBy?: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** When it was revoked or expired. */
  @Property({ type: 'timestamptz', nullable: true })
  endedAt?: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  revokedBy?: string | null = null;

  @Property({ type: 'text', default: '' })
  revocationReason: string = '';
}
