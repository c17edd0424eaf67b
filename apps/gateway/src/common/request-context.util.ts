import { createParamDecorator, ParseUUIDPipe, type ExecutionContext } from '@nestjs/common';
import { ValidationFailed } from '@yugong/shared/errors';
import type { FastifyRequest } from 'fastify';

/** The request id Fastify assigned (or took from a valid incoming `x-request-id`). */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  return context.switchToHttp().getRequest<FastifyRequest>().id;
});

/** Validates a path parameter as a UUID, answering 400 that names it. */
export function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new ValidationFailed([{ field, reason: 'must be a UUID' }]),
  });
}
