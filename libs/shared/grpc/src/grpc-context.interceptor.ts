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
import { serviceTokenMatches } from '@yugong/shared/auth';
import { Unauthenticated } from '@yugong/shared/errors';
import { Observable, throwError } from 'rxjs';
import { MetadataKey } from './grpc.constants';

/** DI token for the service credential a gRPC server expects from its callers. */
export const SERVICE_TOKEN = Symbol('SERVICE_TOKEN');

/**
 * Runs around every gRPC handler: refuses calls without the service credential, and runs the
 * handler inside a fresh MikroORM request context (the HTTP middleware does not cover gRPC).
 */
@Injectable()
export class GrpcContextInterceptor implements NestInterceptor {
  constructor(
    @Inject(SERVICE_TOKEN) private readonly serviceToken: string,
    @Optional() private readonly orm?: MikroORM,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') {
      return next.handle();
    }
    const metadata = context.switchToRpc().getContext<Metadata>();
    const presented = metadata?.get?.(MetadataKey.serviceToken)?.[0];
    if (!serviceTokenMatches(typeof presented === 'string' ? presented : undefined, this.serviceToken)) {
      return throwError(() => new Unauthenticated('missing or wrong service credential'));
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
}
