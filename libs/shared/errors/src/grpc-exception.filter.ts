import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

import { DomainError } from './domain.errors';
import { errorSummary } from './error-summary.util';
import { toRpcError } from './rpc-error.util';

/**
 * Exception filter for gRPC servers (`@nestjs/microservices` gRPC transport): every exception
 * becomes the error grpc-js sends, via {@link toRpcError}, so a `ProductNotFound` reaches the
 * client as NOT_FOUND with its code and fields in the trailers. Errors that are not
 * {@link DomainError}s (bugs, a lost database) are logged by message only and answered as
 * INTERNAL with a generic message.
 *
 * Register with `app.useGlobalFilters(new GrpcExceptionFilter())` or as an `APP_FILTER` provider.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcExceptionFilter.name);

  /** Maps the exception to a gRPC error emitted on the handler's Observable. */
  catch(exception: unknown): Observable<never> {
    if (!(exception instanceof DomainError) || exception.kind === 'internal') {
      this.logger.error(errorSummary(exception));
    }
    return throwError(() => toRpcError(exception));
  }
}
