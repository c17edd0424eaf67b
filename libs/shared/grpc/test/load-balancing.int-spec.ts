import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { catalog, PROTO_LOADER_OPTIONS, PROTO_ROOT, protoPath, GRPC_SERVICES } from '@yugong/contracts';
import { lastValueFrom } from 'rxjs';
import { Metadata } from '@grpc/grpc-js';
import { createGrpcStub, type GrpcStub } from '../src';

/**
 * What a headless Service gives a client: one name, several pod addresses. `dns:///` in k8s
 * resolves to them; `ipv4:a,b,c` names them directly. With grpc-js's default policy (pick_first)
 * every call would go to the first address; the stubs must spread calls over all of them.
 */
describe('gRPC client load balancing', () => {
  const servers: Server[] = [];
  const ports: number[] = [];
  const served: number[] = [];
  let stub: GrpcStub<catalog.CatalogServiceClient> | undefined;

  beforeAll(async () => {
    const definition = loadSync(protoPath('catalog'), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
    const service = definition['yugong.catalog.v1.CatalogService'] as ServiceDefinition;
    for (let pod = 0; pod < 3; pod++) {
      served.push(0);
      const server = new Server();
      const implementation: UntypedServiceImplementation = {
        GetProduct: (
          call: { request: { id: string } },
          callback: (error: null, reply: { product: { id: string; nameEn: string } }) => void,
        ) => {
          served[pod]!++;
          callback(null, { product: { id: call.request.id, nameEn: `pod ${pod}` } });
        },
      };
      server.addService(service, implementation);
      ports.push(
        await new Promise<number>((resolve, reject) =>
          server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
            error ? reject(error) : resolve(port),
          ),
        ),
      );
      servers.push(server);
    }
  });

  afterAll(async () => {
    stub?.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
  });

  it('sends calls round robin over every address of the name, not all to the first', async () => {
    stub = createGrpcStub(GRPC_SERVICES.catalog, `ipv4:${ports.map((p) => `127.0.0.1:${p}`).join(',')}`);
    const pods = new Set<string>();
    // The first calls may all go to the first address while the others connect.
    for (let i = 0; i < 60; i++) {
      const reply = await lastValueFrom(
        stub.stub.getProduct({ id: `p${i}`, includeUnlisted: false }, new Metadata()),
      );
      pods.add(reply.product!.nameEn);
    }
    expect([...pods].sort()).toEqual(['pod 0', 'pod 1', 'pod 2']);
    // Once every address is connected, each gets an equal share of the calls.
    served.fill(0);
    for (let i = 0; i < 30; i++) {
      await lastValueFrom(stub.stub.getProduct({ id: `q${i}`, includeUnlisted: false }, new Metadata()));
    }
    expect(served).toEqual([10, 10, 10]);
  });
});
