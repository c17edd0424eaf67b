import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AssertionVerifier } from '@yugong/shared/auth';
import { PermissionDenied, Unauthenticated } from '@yugong/shared/errors';
import { ACCEPTED_CALLERS, type CallerPolicy } from './accepts.decorator';
import { MetadataKey } from './grpc.constants';
import { recordVerifiedCall } from './grpc-metadata.util';

/** DI token of the {@link AssertionVerifier} a gRPC server checks its callers with. */
export const ASSERTION_VERIFIER = Symbol('ASSERTION_VERIFIER');

/**
 * Admits a gRPC call before its handler runs: verifies the caller's signed assertion (which
 * service, for which method, on whose behalf), refuses callers the method's {@link Accepts} does
 * not list (a method without one refuses everyone), and records the verified call for
 * `callerOf`. Register it as `APP_GUARD` in every gRPC service; the request context each call
 * runs in comes from the server ({@link GrpcServerStrategy}).
 *
 * A guard rather than an interceptor: Nest runs a guard as a plain call, where an interceptor
 * wraps every call in RxJS and async resources.
 */
@Injectable()
export class GrpcCallerGuard implements CanActivate {
  /** Each handler's policy, read once: reflection per call costs more than the check itself. */
  private readonly policies = new WeakMap<object, CallerPolicy | null>();

  constructor(
    @Inject(ASSERTION_VERIFIER) private readonly verifier: AssertionVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'rpc') {
      return true;
    }
    const metadata = context.switchToRpc().getContext<Metadata>();
    const rpc = (context.getArgByIndex(2) as { getPath?: () => string } | undefined)?.getPath?.() ?? '';
    const presented = metadata?.get?.(MetadataKey.assertion)?.[0];
    const call = this.verifier.verify(typeof presented === 'string' ? presented : undefined, rpc);
    const accepted = this.policyOf(context.getHandler())?.[call.service];
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
    return true;
  }

  private policyOf(handler: object): CallerPolicy | null {
    let policy = this.policies.get(handler);
    if (policy === undefined) {
      policy = this.reflector.get<CallerPolicy | undefined>(ACCEPTED_CALLERS, handler as never) ?? null;
      this.policies.set(handler, policy);
    }
    return policy;
  }
}
