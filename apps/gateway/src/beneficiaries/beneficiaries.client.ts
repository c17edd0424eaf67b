import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { beneficiaries, PROTO_ROOT, protoPath } from '@yugong/contracts';
import type { AssertionSigner, CallerIdentity } from '@yugong/shared/auth';
import {
  outgoingMetadata,
  PROTO_LOADER_OPTIONS,
  ServiceClient,
  type GrpcStub,
  type ServiceClientSettings,
} from '@yugong/shared/grpc';
import { once } from 'node:events';

/** Who a streamed import is made for, and how long it may take in all. */
export interface ImportCallOptions {
  caller: CallerIdentity;
  requestId?: string;
  deadlineMs: number;
}

/**
 * The client-streaming `ImportRegister` call over a plain grpc-js channel. Nest's client proxy
 * writes a request stream without waiting for the channel to drain and takes no deadline; this
 * one waits, so a large upload is read from the socket only as fast as beneficiaries takes it.
 */
export class RegisterImportChannel {
  private readonly client: grpc.Client;
  private readonly method: grpc.MethodDefinition<
    beneficiaries.ImportRegisterRequest,
    beneficiaries.ImportRegisterResponse
  >;

  constructor(
    url: string,
    private readonly signer: AssertionSigner,
  ) {
    const definition = protoLoader.loadSync(protoPath('beneficiaries'), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [PROTO_ROOT],
    });
    const service = definition[
      `${beneficiaries.YUGONG_BENEFICIARIES_V1_PACKAGE_NAME}.${beneficiaries.BENEFICIARIES_SERVICE_NAME}`
    ] as grpc.ServiceDefinition;
    this.method = service.ImportRegister as typeof this.method;
    this.client = new grpc.Client(url, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
    });
  }

  /**
   * Sends the options, then every batch as it comes, and resolves with the service's report. When
   * `batches` throws, the call is cancelled (beneficiaries writes nothing) and the error rethrown.
   */
  async importRegister(
    importOptions: beneficiaries.ImportOptions,
    batches: AsyncIterable<beneficiaries.ImportRow[]>,
    options: ImportCallOptions,
  ): Promise<beneficiaries.ImportRegisterResponse> {
    const metadata = outgoingMetadata({
      assertion: this.signer.sign('beneficiaries', this.method.path, options.caller),
      requestId: options.requestId,
    });
    let call!: grpc.ClientWritableStream<beneficiaries.ImportRegisterRequest>;
    // The service may answer first (unreachable, deadline, refused): then stop reading the upload.
    let answered = false;
    const answer = new Promise<beneficiaries.ImportRegisterResponse>((resolve, reject) => {
      call = this.client.makeClientStreamRequest(
        this.method.path,
        this.method.requestSerialize,
        this.method.responseDeserialize,
        metadata,
        { deadline: Date.now() + options.deadlineMs },
        (error, response) => {
          answered = true;
          return error || !response ? reject(error ?? new Error('no response')) : resolve(response);
        },
      );
    });
    const ended = answer.then(
      () => undefined,
      () => undefined,
    );
    const send = async (message: beneficiaries.ImportRegisterRequest): Promise<void> => {
      if (!call.write(message)) {
        await Promise.race([once(call, 'drain'), ended]);
      }
    };
    try {
      await send({ options: importOptions });
      for await (const rows of batches) {
        if (answered) {
          break;
        }
        await send({ batch: { rows } });
      }
      call.end();
    } catch (error) {
      call.cancel();
      answer.catch(() => undefined);
      throw error;
    }
    return answer;
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The beneficiaries service as the gateway calls it: typed unary calls with deadlines and bounded
 * retries, and the streamed register import.
 */
export class BeneficiariesClient extends ServiceClient<beneficiaries.BeneficiariesServiceClient> {
  constructor(
    stub: GrpcStub<beneficiaries.BeneficiariesServiceClient>,
    settings: ServiceClientSettings,
    readonly imports: RegisterImportChannel,
  ) {
    super(stub, settings);
  }
}
