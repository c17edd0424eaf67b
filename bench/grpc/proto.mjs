// Loads yugong.catalog.v1.CatalogService from proto/ with @grpc/proto-loader, for the echo server
// and the load client of bench/grpc.mjs.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

export function catalogService() {
  const definition = protoLoader.loadSync('yugong/catalog/v1/catalog.proto', {
    includeDirs: [PROTO_ROOT],
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).yugong.catalog.v1.CatalogService;
}

export { grpc };
