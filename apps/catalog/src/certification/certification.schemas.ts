import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { chinaDate, idSchema } from '../producers/producer.schemas';
import { CERTIFICATE_STATUSES } from './product-certificate.entity';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_VALIDITY_MS = 10 * 366 * 86_400_000;

/** `YYYY-MM-DD` (00:00 that day in China) or an ISO 8601 date-time with an offset. */
const instantSchema = z.string({ message: 'is required' }).transform((value, ctx): Date => {
  const text = value.trim();
  const instant = DATE.test(text)
    ? new Date(Date.parse(`${text}T00:00:00Z`) - CHINA_OFFSET_MS)
    : DATE_TIME.test(text)
      ? new Date(text)
      : new Date(Number.NaN);
  // 2027-02-30 parses as 2 March: a real date reads back as itself.
  if (Number.isNaN(instant.getTime()) || (DATE.test(text) && chinaDate(instant) !== text)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset',
    });
    return z.NEVER;
  }
  return instant;
});

/** An officer's certification: a period that is not empty, ends in the future, at most 10 years. */
export function certifySchema(now: Date) {
  return z
    .object({ productId: idSchema, validFrom: instantSchema, validTo: instantSchema })
    .superRefine((req, ctx) => {
      if (req.validTo.getTime() <= req.validFrom.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
      } else if (req.validTo.getTime() <= now.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be in the future' });
      } else if (req.validTo.getTime() - req.validFrom.getTime() > MAX_VALIDITY_MS) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be within 10 years of validFrom' });
      }
    });
}
export type CertifyInput = z.input<ReturnType<typeof certifySchema>>;

export const revokeSchema = z.object({
  id: idSchema,
  reason: z.string().trim().min(1, 'is required').max(500, 'must be at most 500 characters'),
});
export type RevokeInput = z.input<typeof revokeSchema>;

export const listCertificatesSchema = z.object({
  page: pageSchema,
  productId: z.union([z.literal(''), idSchema]).default(''),
  producerId: z.union([z.literal(''), idSchema]).default(''),
  status: z
    .enum(CERTIFICATE_STATUSES, { message: `must be one of ${CERTIFICATE_STATUSES.join(', ')}` })
    .optional(),
});
export type ListCertificatesInput = z.input<typeof listCertificatesSchema>;

export const reviewQueueSchema = z.object({
  limit: z
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be 1 or more')
    .max(100, 'must be at most 100')
    .transform((n) => n || 50),
});
