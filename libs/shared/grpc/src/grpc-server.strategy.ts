import type { sendUnaryData, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { MikroORM, EntityManager } from '@mikro-orm/core';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';
import { nameUnavailable } from '@yugong/shared/errors';
import { observeGrpcCall, type GrpcAnswer } from '@yugong/shared/telemetry';
import { firstValueFrom, isObservable } from 'rxjs';
import { runInRequestContext } from '@yugong/shared/orm';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own signatures
type Handler = (...args: any[]) => unknown;
/** What Nest's processing hooks are given (the call, or its request when it ends). */
type HookContext = Parameters<ServerGrpc['onProcessingEndHook']>[1];

/**
 * Nest's gRPC server with a leaner path per call, the same for every service:
 * - every call (unary or streaming) runs in its own MikroORM request context, forked on first use
 *   (the HTTP middleware does not cover gRPC; a call answered from a cache forks nothing);
 * - a unary handler's promise is awaited and answered directly, where Nest wraps each answer in
 *   RxJS observables (an observable, e.g. an exception filter's error, is still read).
 * - every call answered through a callback (unary, client streaming) is measured for the RED
 *   histogram and, when tracing, runs in a SERVER span continuing the caller's trace.
 * Guards, pipes and exception filters run as before. Nest's processing hooks are called when one
 * is set.
 */
export class GrpcServerStrategy extends ServerGrpc {
  /** undefined until the service says which ORM its calls use (or none). */
  private root: EntityManager | null | undefined;
  private processingHooked = false;

  /**
   * @param service - the Yugong service it serves (`catalog`), as metrics and spans name it
   */
  constructor(
    options: GrpcOptions['options'],
    private readonly service: string,
  ) {
    super(options);
  }

  /**
   * The ORM each call gets a request context of, or null for a server without one. Call it once
   * the app is created and before `listen()`, which refuses to start without it.
   */
  useRequestContext(orm: Pick<MikroORM, 'em'> | null): void {
    this.root = orm?.em ?? null;
  }

  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    if (this.root === undefined) {
      callback(new Error('GrpcServerStrategy: call useRequestContext(orm or null) before listen()'));
      return;
    }
    return super.listen(callback);
  }

  override setOnProcessingStartHook(...args: Parameters<ServerGrpc['setOnProcessingStartHook']>): void {
    this.processingHooked = true;
    super.setOnProcessingStartHook(...args);
  }

  override createServiceMethod(
    methodHandler: Handler,
    protoNativeHandler: { requestStream?: boolean; responseStream?: boolean },
    streamType: Parameters<ServerGrpc['createServiceMethod']>[2],
  ): Handler {
    const method = super.createServiceMethod(methodHandler, protoNativeHandler, streamType) as Handler;
    const run = (args: unknown[]) => {
      const root = this.root;
      return root ? runInRequestContext(root, () => method(...args)) : method(...args);
    };
    return (...args: unknown[]) => {
      const [call, answer] = args as [Partial<ServerUnaryCall<unknown, unknown>>, unknown];
      if (typeof answer !== 'function') {
        return run(args); // a server-streaming or bidirectional call answers on its stream
      }
      // A store out of reach is named as this service's (`orders database unavailable`).
      const named: GrpcAnswer = (error, ...reply) =>
        (answer as GrpcAnswer)(error ? nameUnavailable(error, this.service) : error, ...reply);
      // Measured from before the caller is checked, so refusals count as errors.
      return observeGrpcCall(this.service, call.getPath?.() ?? '', call.metadata, named, (measured) =>
        run([call, measured, ...args.slice(2)]),
      );
    };
  }

  override createUnaryServiceMethod(methodHandler: Handler): Handler {
    const answer = async (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      let reply: unknown;
      try {
        reply = await methodHandler(call.request, call.metadata, call);
        if (isObservable(reply)) {
          reply = await firstValueFrom(reply, { defaultValue: undefined });
        }
        reply = await reply;
      } catch (error) {
        this.onProcessingEndHook?.(this.transportId!, call.request as HookContext);
        callback(error as ServiceError, null);
        return;
      }
      callback(null, reply);
      this.onProcessingEndHook?.(this.transportId!, call.request as HookContext);
    };
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      this.processingHooked
        ? this.onProcessingStartHook(
            this.transportId!,
            { ...call, operationId: methodHandler.name } as unknown as HookContext,
            () => answer(call, callback),
          )
        : answer(call, callback);
  }
}
