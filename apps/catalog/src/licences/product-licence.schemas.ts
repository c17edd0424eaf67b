import { z } from 'zod';

const uuid = z.string().uuid('must be a UUID');
const timestamp = z
  .object({ seconds: z.number().int(), nanos: z.number().int().default(0) })
  .nullish()
  .transform((t) => (t ? new Date(t.seconds * 1_000 + Math.floor(t.nanos / 1e6)) : null));

/** SetProductLicence: what a licence covers, from licensing. */
export const setProductLicenceSchema = z
  .object({
    licenceId: uuid,
    licenceNumber: z.string().max(64, 'must be at most 64 characters').default(''),
    producerId: uuid,
    productIds: z.array(uuid).max(50, 'must name at most 50 products'),
    covering: z.boolean().default(false),
    validFrom: timestamp,
    validTo: timestamp,
  })
  .superRefine((req, ctx) => {
    if (!req.covering) {
      return;
    }
    if (!req.licenceNumber) {
      ctx.addIssue({ code: 'custom', path: ['licenceNumber'], message: 'is required when covering' });
    }
    if (!req.validFrom || !req.validTo || req.validTo <= req.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom when covering' });
    }
  });
export type SetProductLicenceInput = z.input<typeof setProductLicenceSchema>;
