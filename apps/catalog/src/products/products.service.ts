import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager, EntityRepository } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  canActForProducer,
  canReadAll,
  isOfficer,
  requireProducerAccess,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { PermissionDenied, ValidationFailed } from '@yugong/shared/errors';
import { ListingCache } from '../common/listing-cache.store';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { Producer } from '../producers/producer.entity';
import { ProducerNotFound } from '../producers/producer.errors';
import { BeneficiariesClient } from '../suppliers/beneficiaries.client';
import { SuppliersRefused } from '../suppliers/supplier.errors';
import { Lot } from './lot.entity';
import { LotSupplier } from './lot-supplier.entity';
import { Product } from './product.entity';
import { LotCodeTaken, ProductNotCertified, ProductNotFound } from './product.errors';
import { ProductRepository, type ProductView } from './product.repository';
import {
  byIdSchema,
  byProductIdSchema,
  createLotSchema,
  createProductSchema,
  getLotsSchema,
  getProductsSchema,
  listProductsSchema,
  updateProductSchema,
  type CreateLotData,
  type CreateLotInput,
  type CreateProductInput,
  type ListProductsInput,
  type UpdateProductInput,
} from './product.schemas';

/** Products and their lots: listing, editing within a producer's own catalogue, and stock intake. */
@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: ProductRepository,
    @InjectRepository(Lot) private readonly lots: EntityRepository<Lot>,
    private readonly em: EntityManager,
    private readonly cache: ListingCache,
    private readonly beneficiaries: BeneficiariesClient,
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
    if (changes.status === 'active' && product.status !== 'active') {
      await this.requireActivation(caller, id);
    }
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
    const listed = view.status === 'active' && view.producerStatus === 'verified' && view.certified;
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
   * Lots by id with their suppliers: for services (the ledger splitting a sale by the lots it came
   * from) and readers of everything. Unknown ids are left out.
   */
  async getLots(caller: CallerIdentity | null, input: Loose<{ ids: string[] }>): Promise<Lot[]> {
    const { ids } = parseRequest(getLotsSchema, input);
    if (caller !== null && !canReadAll(caller)) {
      throw new PermissionDenied('only services, officers and auditors read lots by id');
    }
    return this.lots.find({ id: { $in: [...new Set(ids)] } }, { populate: ['suppliers'] });
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

  /**
   * Only the relief office puts a product (back) on sale, and only while it holds a valid
   * certificate: producer staff draft and archive their products but never activate them.
   */
  private async requireActivation(caller: CallerIdentity | null, id: string): Promise<void> {
    if (!isOfficer(caller)) {
      throw new PermissionDenied('only the relief office puts a product on sale, by certifying it');
    }
    if (!(await this.products.findView(id))?.certified) {
      throw new ProductNotCertified(id);
    }
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
    const verdicts = await this.beneficiaries.validateSuppliers(
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
