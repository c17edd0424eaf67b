// gRPC clients for the benchmarks: plain JS cannot import the typed test client of
// libs/shared/testing, so this is its counterpart, built the same way from proto/ alone with
// @grpc/proto-loader, the loader options of PROTO_LOADER_OPTIONS (libs/contracts) and the same
// metadata (x-service-token, x-caller).
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

/** The same as PROTO_LOADER_OPTIONS in libs/contracts/src/index.ts. */
const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

/**
 * The grpc-js client constructor of `yugong.<name>.v1.<serviceName>` (also a server's service
 * definition, as `.service`), e.g. `serviceConstructor('catalog', 'CatalogService')`.
 */
export function serviceConstructor(name, serviceName) {
  const definition = protoLoader.loadSync(`yugong/${name}/v1/${name}.proto`, {
    ...LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  return grpc.loadPackageDefinition(definition).yugong[name].v1[serviceName];
}

/** A client of `yugong.<name>.v1.<serviceName>` at `address` (`host:port`). */
export function serviceClient(name, serviceName, address) {
  const Service = serviceConstructor(name, serviceName);
  return new Service(address, grpc.credentials.createInsecure());
}

/** Metadata of a call with the service credential, as `caller` (none: the platform itself). */
export function callMetadata(serviceToken, caller) {
  const metadata = new grpc.Metadata();
  metadata.set('x-service-token', serviceToken);
  if (caller) {
    metadata.set('x-caller', JSON.stringify(caller));
  }
  return metadata;
}

export { grpc };
