import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  canActForProducer,
  canReadAll,
  requireProducerAccess,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { z } from 'zod';
import { ListingCache } from '../common/listing-cache';
import { pageSchema, parseRequest, type Loose } from '@yugong/shared/grpc';
import { Producer } from '../producers/producer.entity';
import { ProducerNotFound } from '../producers/producer.errors';
import { idSchema } from '../producers/producers.service';
import { BeneficiariesClient } from '../suppliers/beneficiaries.client';
import { SuppliersRefused } from '../suppliers/supplier.errors';
import { Lot } from './lot.entity';
import { LotSupplier } from './lot-supplier.entity';
import { PRODUCT_STATUSES, Product } from './product.entity';
import { LotCodeTaken, ProductNotFound } from './product.errors';
import { ProductRepository, type ProductView } from './product.repository';

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

const MAX_PRICE_FEN = 100_000_000_00; // one hundred million yuan: far above any listing, far below 2^53

const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

const priceSchema = z.object({
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

const imageUrlsSchema = z
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
  reliefCertification: optionalText(64),
  status: z.enum(PRODUCT_STATUSES, { message: `must be one of ${PRODUCT_STATUSES.join(', ')}` }),
};

const createProductSchema = z.object({
  producerId: idSchema,
  ...productFields,
  nameEn: productFields.nameEn.default(''),
  imageUrls: productFields.imageUrls.default([]),
  originVillage: productFields.originVillage.default(''),
  reliefCertification: productFields.reliefCertification.default(''),
  status: z.enum(['draft', 'active'], { message: 'must be draft or active' }).default('draft'),
  stockSourceProductId: z.union([z.literal(''), idSchema]).default(''),
});
export type CreateProductInput = z.input<typeof createProductSchema>;

const updateProductSchema = z.object({
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

const createLotSchema = z
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
type CreateLotData = z.infer<typeof createLotSchema>;

const byIdSchema = z.object({ id: idSchema });
const getProductsSchema = z.object({
  ids: z
    .array(idSchema, { message: 'must be a list' })
    .min(1, 'must name at least one product')
    .max(100, 'at most 100 ids'),
  includeUnlisted: z.boolean().default(false),
});
const byProductIdSchema = z.object({ productId: idSchema });

const listProductsSchema = z.object({
  page: pageSchema,
  query: z.string().trim().max(100, 'must be at most 100 characters').default(''),
  category: z.string().trim().max(40).default(''),
  town: z.string().trim().max(50).default(''),
  producerId: z.union([z.literal(''), idSchema]).default(''),
  includeUnlisted: z.boolean().default(false),
});
export type ListProductsInput = z.input<typeof listProductsSchema>;

/** Products and their lots: listing, editing within a producer's own catalogue, and stock intake. */
@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: ProductRepository,
    @InjectRepository(Lot) private readonly lots: EntityRepository<Lot>,
    private readonly em: EntityManager,
    private readonly cache: ListingCache,
    private readonly register: BeneficiariesClient,
  ) {}

  async create(caller: CallerIdentity | null, input: Loose<CreateProductInput>): Promise<ProductView> {
    const { producerId, price, stockSourceProductId, ...data } = parseRequest(createProductSchema, input);
    requireProducerAccess(caller, producerId);
    const producer = await this.em.findOne(Producer, { id: producerId });
    if (!producer) {
      throw new ProducerNotFound(producerId);
    }
    const stockSource = stockSourceProductId
      ? await this.stockSource(stockSourceProductId, producerId)
      : null;
    const product = this.products.create({
      ...data,
      producer,
      stockSource,
      priceFen: price.fen,
      currency: price.currency,
    });
    await this.em.flush();
    await this.cache.invalidate();
    return this.view(product.id);
  }

  async update(caller: CallerIdentity | null, input: Loose<UpdateProductInput>): Promise<ProductView> {
    const { id, price, ...changes } = parseRequest(updateProductSchema, input);
    const product = await this.products.findOne({ id });
    if (!product) {
      throw new ProductNotFound(id);
    }
    requireProducerAccess(caller, product.producer.id);
    this.products.assign(
      product,
      Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    );
    if (price) {
      product.priceFen = price.fen;
      product.currency = price.currency;
    }
    await this.em.flush();
    await this.cache.invalidate();
    return this.view(id);
  }

  /**
   * One product. Unlisted ones (draft, archived, or of an unverified producer) are visible only to
   * readers of everything and the producer's own staff; to everyone else they do not exist.
   */
  async get(caller: CallerIdentity | null, id: string, includeUnlisted: boolean): Promise<ProductView> {
    parseRequest(byIdSchema, { id });
    const view = includeUnlisted ? await this.products.findView(id) : await this.cachedView(id);
    if (!view) {
      throw new ProductNotFound(id);
    }
    const listed = view.status === 'active' && view.producerStatus === 'verified';
    if (!listed && !(includeUnlisted && this.seesUnlisted(caller, view.producerId))) {
      throw new ProductNotFound(id);
    }
    return view;
  }

  async list(
    caller: CallerIdentity | null,
    input: ListProductsInput,
  ): Promise<{ items: ProductView[]; total: number; page: number; pageSize: number }> {
    const q = parseRequest(listProductsSchema, input);
    const unlisted =
      q.includeUnlisted &&
      (canReadAll(caller) || (q.producerId !== '' && this.seesUnlisted(caller, q.producerId)));
    const { items, total } = await this.products.pageViews({
      query: q.query || undefined,
      category: q.category || undefined,
      town: q.town || undefined,
      producerId: q.producerId || undefined,
      listedOnly: !unlisted,
      offset: q.page.offset,
      limit: q.page.limit,
    });
    return { items, total, page: q.page.page, pageSize: q.page.pageSize };
  }

  /**
   * Records a lot and, when given, the households that supplied it. Every supplier must exist in
   * the beneficiaries register and hold a `supply` agreement with the producer valid on the
   * produced date; otherwise nothing is written. The lot and its suppliers are one flush, so one
   * transaction.
   */
  async createLot(
    caller: CallerIdentity | null,
    input: Loose<CreateLotInput>,
    context: { requestId?: string } = {},
  ): Promise<Lot> {
    const data = parseRequest(createLotSchema, input);
    const product = await this.products.findOne({ id: data.productId });
    if (!product) {
      throw new ProductNotFound(data.productId);
    }
    requireProducerAccess(caller, product.producer.id);
    if (product.stockSource) {
      throw new ValidationFailed([
        { field: 'productId', reason: 'sells from the lots of another product; add the lot to that product' },
      ]);
    }
    if (data.suppliers.length > 0) {
      await this.requireSuppliers(product.producer.id, data, context.requestId);
    }
    const lot = this.lots.create({
      product,
      lotCode: data.lotCode,
      producedOn: data.producedOn,
      quantity: data.quantity,
      onHand: data.quantity,
    });
    data.suppliers.forEach((supplier, position) =>
      lot.suppliers.add(
        this.em.create(LotSupplier, {
          lot,
          householdId: supplier.householdId,
          quantity: supplier.quantity,
          position,
        }),
      ),
    );
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new LotCodeTaken(data.lotCode);
      }
      throw error;
    }
    await this.cache.invalidate();
    return lot;
  }

  async listLots(caller: CallerIdentity | null, productId: string): Promise<Lot[]> {
    parseRequest(byProductIdSchema, { productId });
    const product = await this.products.findOne({ id: productId });
    if (!product || !this.seesUnlisted(caller, product.producer.id)) {
      throw new ProductNotFound(productId);
    }
    return this.lots.find(
      { product },
      { populate: ['suppliers'], orderBy: { producedOn: 'asc', lotCode: 'asc' } },
    );
  }

  /**
   * Several products by id (cart pricing): the public view, unless `includeUnlisted` is asked by a
   * service acting without a user (orders showing why a cart line can no longer be bought) or by a
   * reader of everything.
   */
  async getMany(
    caller: CallerIdentity | null,
    input: Loose<{ ids: string[]; includeUnlisted: boolean }>,
  ): Promise<ProductView[]> {
    const { ids, includeUnlisted } = parseRequest(getProductsSchema, input);
    const unlisted = includeUnlisted && (caller === null || canReadAll(caller));
    return this.products.findViews([...new Set(ids)], !unlisted);
  }

  /** The product another one may sell from: same producer, and not itself selling from another. */
  private async stockSource(id: string, producerId: string): Promise<Product> {
    const source = await this.products.findOne({ id });
    if (!source || source.producer.id !== producerId) {
      throw new ValidationFailed([
        { field: 'stockSourceProductId', reason: 'must be a product of the same producer' },
      ]);
    }
    if (source.stockSource) {
      throw new ValidationFailed([
        {
          field: 'stockSourceProductId',
          reason: 'sells from another product itself; name that product instead',
        },
      ]);
    }
    return source;
  }

  /** Asks the register about every supplier; throws naming each one it refuses. */
  private async requireSuppliers(
    producerId: string,
    data: CreateLotData,
    requestId: string | undefined,
  ): Promise<void> {
    // Agreements are dated by the calendar day in China; noon there is safely inside that day.
    const asOf = new Date(`${data.producedOn}T12:00:00+08:00`);
    const verdicts = await this.register.validateSuppliers(
      producerId,
      data.suppliers.map((s) => s.householdId),
      asOf,
      requestId,
    );
    if (verdicts.length !== data.suppliers.length) {
      throw new Error(`register answered ${verdicts.length} verdicts for ${data.suppliers.length} suppliers`);
    }
    const refused = verdicts.flatMap((verdict, i) =>
      verdict.ok ? [] : [{ field: `suppliers.${i}.householdId`, reason: verdict.reason }],
    );
    if (refused.length > 0) {
      throw new SuppliersRefused(refused);
    }
  }

  /** Public reads of one product are served from the read cache; every change invalidates it. */
  private async cachedView(id: string): Promise<ProductView | undefined> {
    const json = await this.cache.getOrLoad(`view:${id}`, async () =>
      JSON.stringify((await this.products.findView(id)) ?? null),
    );
    const view = JSON.parse(json) as
      (Omit<ProductView, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string }) | null;
    return view
      ? { ...view, createdAt: new Date(view.createdAt), updatedAt: new Date(view.updatedAt) }
      : undefined;
  }

  private async view(id: string): Promise<ProductView> {
    const view = await this.products.findView(id);
    if (!view) {
      throw new ProductNotFound(id);
    }
    return view;
  }

  private seesUnlisted(caller: CallerIdentity | null, producerId: string): boolean {
    return canReadAll(caller) || canActForProducer(caller, producerId);
  }
}
