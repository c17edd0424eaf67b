import type { FastifyReply } from 'fastify';

/** CSV when the query says `format=csv`, or it says nothing and the client accepts text/csv first. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format) {
    return format === 'csv';
  }
  return /^\s*text\/csv\b/i.test(accept ?? '');
}

/** Marks the reply as a CSV download named `filename` and gives back `body` to send. */
export function sendCsv<T extends string | Buffer>(reply: FastifyReply, filename: string, body: T): T {
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return body;
}
