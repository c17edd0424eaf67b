import type { Metadata } from '@grpc/grpc-js';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AssertionVerifier } from '@yugong/shared/auth';
import { PermissionDenied, Unauthenticated } from '@yugong/shared/errors';
import { observeGrpcCall } from '@yugong/shared/telemetry';
import { Observable, throwError } from 'rxjs';
import { ACCEPTED_CALLERS, type CallerPolicy } from './accepts.decorator';
import { MetadataKey } from './grpc.constants';
import { recordVerifiedCall } from './grpc-metadata.util';

/** DI token of the {@link AssertionVerifier} a gRPC server checks its callers with. */
export const ASSERTION_VERIFIER = Symbol('ASSERTION_VERIFIER');

/**
 * Runs around every gRPC handler: measures it (RED metrics; a span when tracing), verifies the
 * caller's signed assertion (which service, for which method, on whose behalf), refuses callers
 * the method does not accept, and runs the handler inside a fresh MikroORM request context (the
 * HTTP middleware does not cover gRPC).
 */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  constructor(
    @Inject(ASSERTION_VERIFIER) private readonly verifier: AssertionVerifier,
    private readonly reflector: Reflector,
    @Optional() private readonly orm?: MikroORM,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') {
      return next.handle();
    }
    // Measured (and traced) from before the caller is checked, so refusals count as errors.
    return observeGrpcCall(this.verifier.service, rpcOf(context), metadataOf(context), () =>
      this.handle(context, next),
    );
  }

  private handle(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    try {
      this.admit(context);
    } catch (error) {
      return throwError(() => error);
    }
    const orm = this.orm;
    if (!orm) {
      return next.handle();
    }
    // next.handle() is deferred: the handler runs on subscribe, so subscribing inside the
    // context makes every await in it see the forked EntityManager.
    return new Observable((subscriber) =>
      RequestContext.create(orm.em, () => next.handle().subscribe(subscriber)),
    );
  }

  private admit(context: ExecutionContext): void {
    const metadata = metadataOf(context);
    const rpc = rpcOf(context);
    const presented = metadata?.get?.(MetadataKey.assertion)?.[0];
    const call = this.verifier.verify(typeof presented === 'string' ? presented : undefined, rpc);
    const policy = this.reflector.get<CallerPolicy | undefined>(ACCEPTED_CALLERS, context.getHandler());
    const accepted = policy?.[call.service];
    if (!accepted) {
      throw new PermissionDenied(`${rpc} does not accept calls from ${call.service}`);
    }
    if (!accepted.includes(call.principal)) {
      if (call.principal === 'anonymous' && accepted.includes('user')) {
        throw new Unauthenticated('sign in first');
      }
      throw new PermissionDenied(
        `${rpc} accepts ${call.service} only for ${accepted.join(' or ')}, not ${call.principal}`,
      );
    }
    recordVerifiedCall(metadata, call);
  }
}

const metadataOf = (context: ExecutionContext) => context.switchToRpc().getContext<Metadata>();
const rpcOf = (context: ExecutionContext) =>
  (context.getArgByIndex(2) as { getPath?: () => string } | undefined)?.getPath?.() ?? '';
