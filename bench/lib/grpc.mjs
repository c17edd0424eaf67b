// gRPC clients for the benchmarks: plain JS cannot import the typed test client of
// libs/shared/testing, so this is its counterpart, built the same way from proto/ alone with
// @grpc/proto-loader, the loader options of PROTO_LOADER_OPTIONS (libs/contracts) and the same
// signed assertion (x-service-assertion, see AssertionSigner in libs/shared/auth).
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import jwt from 'jsonwebtoken';
import crypto from 'node:crypto';
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

/**
 * Metadata of one call to `yugong.<name>.v1.<serviceName>/<method>`, signed as service `from`
 * with its key (`SERVICE_KEY`: base64 PKCS#8), for `caller` (a user; `null`: nobody; `'service'`:
 * the calling service itself), addressed to `audience` (default `name`). Valid 60 s: a load loop signs again as it goes (`signedMetadata`).
 */
export function callMetadata({ key, from, name, serviceName, method, caller, audience = name }) {
  const signingKey = crypto.createPrivateKey({
    key: Buffer.from(key, 'base64'),
    format: 'der',
    type: 'pkcs8',
  });
  const claims =
    caller === 'service'
      ? { act: 'service' }
      : caller
        ? { act: 'user', usr: { userId: caller.userId, role: caller.role, producerIds: caller.producerIds } }
        : { act: 'anonymous' };
  const assertion = jwt.sign({ ...claims, rpc: `/yugong.${name}.v1.${serviceName}/${method}` }, signingKey, {
    algorithm: 'ES256',
    issuer: from,
    audience,
    expiresIn: 60,
  });
  const metadata = new grpc.Metadata();
  metadata.set('x-service-assertion', assertion);
  return metadata;
}

/**
 * `callMetadata(call)`, signed again once a second: what a load loop passes with each call, so
 * that the service verifies real, fresh assertions for as long as the run lasts.
 */
export function signedMetadata(call) {
  let metadata = callMetadata(call);
  let signedAt = Date.now();
  return () => {
    if (Date.now() - signedAt > 1_000) {
      metadata = callMetadata(call);
      signedAt = Date.now();
    }
    return metadata;
  };
}

export { grpc };
