import { MAX_PRICE_FEN } from '@yugong/shared/money';
import { pageSchema } from '@yugong/shared/grpc';
import { z } from 'zod';
import { idSchema } from '../producers/producer.schemas';
import { PRODUCT_STATUSES } from './product.entity';

/** The product categories of the relief catalogue. */
export const CATEGORIES = [
  'meat',
  'livestock',
  'poultry',
  'eggs',
  'grain',
  'oil',
  'honey',
  'fruit',
  'vegetables',
  'mushrooms',
  'nuts',
  'tea',
  'herbs',
  'processed',
  'crafts',
] as const;

const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const priceSchema = z.object({
  fen: z
    .number({ message: 'must be a number' })
    .int('must be a whole number of fen')
    .min(1, 'must be positive')
    .max(MAX_PRICE_FEN, `must be at most ${MAX_PRICE_FEN}`),
  currency: z
    .string()
    .transform((c) => c || 'CNY')
    .pipe(z.literal('CNY', { message: 'only CNY is supported' })),
});

export const imageUrlsSchema = z
  .array(
    z
      .string()
      .url('must be a URL')
      .max(500)
      .regex(/^https?:\/\//, 'must be an http(s) URL'),
  )
  .max(10, 'at most 10 images');

const productFields = {
  nameZh: text(100),
  nameEn: optionalText(200),
  category: z.enum(CATEGORIES, { message: `must be one of ${CATEGORIES.join(', ')}` }),
  unit: text(20),
  price: priceSchema,
  imageUrls: imageUrlsSchema,
  originVillage: optionalText(50),
  // The certificate number is issued by the platform when the relief office certifies a product.
  reliefCertification: z.literal('', {
    message: 'is issued by the platform when the relief office certifies the product',
  }),
  status: z.enum(PRODUCT_STATUSES, { message: `must be one of ${PRODUCT_STATUSES.join(', ')}` }),
};

export const createProductSchema = z.object({
  producerId: idSchema,
  ...productFields,
  nameEn: productFields.nameEn.default(''),
  imageUrls: productFields.imageUrls.default([]),
  originVillage: productFields.originVillage.default(''),
  reliefCertification: productFields.reliefCertification.default(''),
  status: z
    .literal('draft', {
      message: 'must be draft: a product goes on sale when the relief office certifies it',
    })
    .default('draft'),
  stockSourceProductId: z.union([z.literal(''), idSchema]).default(''),
});
export type CreateProductInput = z.input<typeof createProductSchema>;

export const updateProductSchema = z.object({
  id: idSchema,
  nameZh: productFields.nameZh.optional(),
  nameEn: productFields.nameEn.optional(),
  category: productFields.category.optional(),
  unit: productFields.unit.optional(),
  price: productFields.price.optional(),
  imageUrls: productFields.imageUrls.optional(),
  originVillage: productFields.originVillage.optional(),
  reliefCertification: productFields.reliefCertification.optional(),
  status: productFields.status.optional(),
});
export type UpdateProductInput = z.input<typeof updateProductSchema>;

const today = () => new Date().toISOString().slice(0, 10);

/** The beneficiaries register checks at most this many households in one call. */
const MAX_SUPPLIERS = 1_000;

export const createLotSchema = z
  .object({
    productId: idSchema,
    lotCode: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(40, 'must be at most 40 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, dot, dash and underscore'),
    producedOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
      .refine(
        (d) =>
          !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
          new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        'is not a real date',
      )
      .refine((d) => d <= today(), 'cannot be in the future'),
    quantity: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be positive')
      .max(1_000_000_000),
    suppliers: z
      .array(
        z.object({
          householdId: idSchema,
          quantity: z
            .number({ message: 'must be a number' })
            .int('must be a whole number')
            .min(1, 'must be positive')
            .max(1_000_000_000),
        }),
      )
      .max(MAX_SUPPLIERS, `at most ${MAX_SUPPLIERS} suppliers`)
      .default([]),
  })
  .superRefine((lot, ctx) => {
    const seen = new Set<string>();
    lot.suppliers.forEach((supplier, i) => {
      if (seen.has(supplier.householdId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['suppliers', i, 'householdId'],
          message: 'is named twice; give each household once with its whole quantity',
        });
      }
      seen.add(supplier.householdId);
    });
    const supplied = lot.suppliers.reduce((sum, supplier) => sum + supplier.quantity, 0);
    if (supplied > lot.quantity) {
      ctx.addIssue({
        code: 'custom',
        path: ['suppliers'],
        message: `the suppliers' quantities add up to ${supplied}, more than the lot's quantity ${lot.quantity}`,
      });
    }
  });
export type CreateLotInput = z.input<typeof createLotSchema>;
export type CreateLotData = z.infer<typeof createLotSchema>;

export const byIdSchema = z.object({ id: idSchema });
export const getProductsSchema = z.object({
  ids: z
    .array(idSchema, { message: 'must be a list' })
    .min(1, 'must name at least one product')
    .max(100, 'at most 100 ids'),
  includeUnlisted: z.boolean().default(false),
});
export const byProductIdSchema = z.object({ productId: idSchema });
export const getLotsSchema = z.object({
  ids: z
    .array(idSchema, { message: 'must be a list' })
    .min(1, 'must name at least one lot')
    .max(100, 'at most 100 ids'),
});

export const listProductsSchema = z.object({
  page: pageSchema,
  query: z.string().trim().max(100, 'must be at most 100 characters').default(''),
  category: z.string().trim().max(40).default(''),
  town: z.string().trim().max(50).default(''),
  producerId: z.union([z.literal(''), idSchema]).default(''),
  includeUnlisted: z.boolean().default(false),
});
export type ListProductsInput = z.input<typeof listProductsSchema>;
