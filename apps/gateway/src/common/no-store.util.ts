import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';

/**
 * Marks the answer `Cache-Control: no-store`, errors included (the header is set before the
 * handler runs): personal data, masked or not, must not stay in a browser's or a proxy's cache.
 */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    void context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    return next.handle();
  }
}

/** Every answer of the controller or route carries `Cache-Control: no-store`. */
export const NoStore = () => UseInterceptors(NoStoreInterceptor);
