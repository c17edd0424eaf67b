/**
 * Wire contracts of every Yugong service, generated from `proto/` by ts-proto.
 * Import a service's namespace (`catalog`) and the helpers to locate its `.proto` files at run time.
 */
import * as path from 'node:path';

export * as beneficiaries from './generated/yugong/beneficiaries/v1/beneficiaries';
export * as catalog from './generated/yugong/catalog/v1/catalog';
export * as ledger from './generated/yugong/ledger/v1/ledger';
export * as licensing from './generated/yugong/licensing/v1/licensing';
export * as orders from './generated/yugong/orders/v1/orders';
export * as common from './generated/yugong/common/v1/money';
export * as paging from './generated/yugong/common/v1/paging';
export type { Timestamp } from './generated/google/protobuf/timestamp';
export * from './grpc-services';

/**
 * Folder holding the `.proto` sources. In the repository it is `proto/`; a build copies it to
 * `dist/proto`, which sits at the same relative place from the compiled file.
 */
export const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto');

/** Absolute path of `proto/yugong/<service>/v1/<service>.proto`. */
export function protoPath(service: string): string {
  return path.join(PROTO_ROOT, 'yugong', service, 'v1', `${service}.proto`);
}

/**
 * proto-loader settings that match what ts-proto generated: camelCase fields, int64 as number
 * (fen amounts stay far below 2^53), enums as their string names, defaults and empty arrays present.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
} as const;
