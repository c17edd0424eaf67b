import {
  Metadata,
  Server,
  ServerCredentials,
  type ChannelOptions,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT, protoPath, GRPC_SERVICES } from '@yugong/contracts';
import { lastValueFrom } from 'rxjs';
import { connectionAgeOptions, createGrpcStub } from '../src';

/**
 * A client keeps its connection to a pod until the server closes it: pods a scale-up adds get
 * calls only once clients reconnect and resolve the name again. With a maximum connection age the
 * server sends GOAWAY after it; the client connects anew, and no call fails.
 */
describe('gRPC maximum connection age', () => {
  const definition = loadSync(protoPath('catalog'), { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const service = definition['yugong.catalog.v1.CatalogService'] as ServiceDefinition;

  /** Serves with `options`; calls for 2 s, one every 20 ms; answers the client connections seen. */
  const callFor2s = async (options: ChannelOptions) => {
    const peers = new Set<string>();
    const server = new Server(options);
    server.addService(service, {
      GetProduct: (
        call: { request: { id: string }; getPeer(): string },
        callback: (error: null, reply: { product: { id: string } }) => void,
      ) => {
        peers.add(call.getPeer());
        callback(null, { product: { id: call.request.id } });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const stub = createGrpcStub(GRPC_SERVICES.catalog, `127.0.0.1:${port}`);
    let answered = 0;
    try {
      const until = Date.now() + 2_000;
      for (let i = 0; Date.now() < until; i++) {
        const reply = await lastValueFrom(
          stub.stub.getProduct({ id: `p${i}`, includeUnlisted: false }, new Metadata()),
        );
        expect(reply.product?.id).toBe(`p${i}`);
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      stub.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
    return { peers: peers.size, answered };
  };

  it('keeps one connection without an age', async () => {
    const seen = await callFor2s({});
    expect(seen.peers).toBe(1);
    expect(seen.answered).toBeGreaterThan(10);
  });

  it('makes the client reconnect after the age passes, every call still answered', async () => {
    const seen = await callFor2s(connectionAgeOptions({ maxMs: 400, graceMs: 200 }));
    expect(seen.peers).toBeGreaterThanOrEqual(3);
    expect(seen.answered).toBeGreaterThan(10);
  });
});
