import { BigIntType, Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The hash chain: the n-th sealed transaction, SHA-256 (hex) of its canonical form and the hash
 * before it. Written by the sequencer, never updated or deleted (a trigger refuses it).
 */
@Entity({ tableName: 'chain_link' })
@Check({
  name: 'chain_link_hashes_hex',
  expression: "hash ~ '^[0-9a-f]{64}$' and prev_hash ~ '^[0-9a-f]{64}$'",
})
export class ChainLink {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: false })
  seq!: number;

  @Property({ type: 'uuid', unique: true })
  transactionId!: string;

  @Property({ type: 'string', columnType: 'char(64)' })
  prevHash!: string;

  @Property({ type: 'string', columnType: 'char(64)' })
  hash!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  sealedAt!: Date;
}
