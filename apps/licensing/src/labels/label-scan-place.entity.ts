import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A place a code was scanned from: a keyed hash (HMAC-SHA256, first 16 bytes, hex) of the client's
 * network prefix (/24 of IPv4, /48 of IPv6), never the address. One row per code and place (the
 * primary key), so the number of rows of a code is the number of places it was scanned from.
 */
@Entity({ tableName: 'label_scan_place' })
export class LabelScanPlace {
  [OptionalProps]?: 'firstScannedAt';

  @PrimaryKey({ type: 'text' })
  code!: string;

  @PrimaryKey({ type: 'text' })
  place!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  firstScannedAt!: Date;
}
