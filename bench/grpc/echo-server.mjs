// The baseline of bench/grpc.mjs: a raw grpc-js server implementing CatalogService/GetProduct
// from the same proto, answering every call with one fixed Product (the one catalog returned for
// the benchmarked id, so the reply has the same shape and size). No database, no Nest, no checks.
// Env: GRPC_PORT, PRODUCT_FILE (JSON of the GetProductResponse to send).
import fs from 'node:fs';
import { grpc, serviceConstructor } from '../lib/grpc.mjs';

const reply = JSON.parse(fs.readFileSync(process.env.PRODUCT_FILE, 'utf8'));
const server = new grpc.Server();
server.addService(serviceConstructor('catalog', 'CatalogService').service, {
  getProduct: (_call, callback) => callback(null, reply),
});
server.bindAsync(`127.0.0.1:${process.env.GRPC_PORT}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(error.message);
    process.exit(1);
  }
  console.log(`echo gRPC on ${process.env.GRPC_PORT}`);
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
