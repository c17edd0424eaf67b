import { Injectable } from '@nestjs/common';
import { catalog } from '@yugong/contracts';
import type { CallerIdentity } from '@yugong/shared/auth';
import { ReadCache } from '@yugong/shared/cache';
import { CatalogClient } from './catalog.client';
import type {
  CertifyProductDto,
  ListCertificatesQuery,
  ReviewQueueQuery,
  RevokeCertificateDto,
  SetProducerStatusDto,
  CreateLotDto,
  CreateProducerDto,
  CreateProductDto,
  ListProducersQuery,
  ListProductsQuery,
  SetHouseholdShareDto,
  UpdateProductDto,
} from './dto/catalog.dto';
import { certificateJson, enumWire, lotJson, producerJson, productJson } from './catalog.views';
import { publicUrlKey } from './public-catalog.fast-path';

/** Options that travel with each call: who asks, and the request id for the logs. */
export interface CallContext {
  caller: CallerIdentity | null;
  requestId?: string;
}

/**
 * The catalogue as the REST API serves it. Public reads are cached (in process and in Redis) as
 * the exact JSON they are sent as; catalog invalidates the cache on every change.
 */
@Injectable()
export class CatalogGatewayService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly cache: ReadCache,
  ) {}

  /**
   * The public listing, as a JSON string, also remembered under the exact `url` it was asked by so
   * that the fast path can answer that URL again without entering Nest.
   */
  async listPublic(query: ListProductsQuery, ctx: CallContext, url: string): Promise<string> {
    const key = `list:${query.q ?? ''}|${query.category ?? ''}|${query.town ?? ''}|${query.producerId ?? ''}|${query.page ?? 1}|${query.pageSize ?? 20}`;
    return this.cachedUnder(url, key, async () => JSON.stringify(await this.list(query, ctx, false)));
  }

  private async cachedUnder(url: string, key: string, load: () => Promise<string>): Promise<string> {
    const version = this.cache.currentVersion;
    const body = await this.cache.getOrLoad(key, load);
    this.cache.remember(publicUrlKey(url), body, version);
    return body;
  }

  async list(query: ListProductsQuery, ctx: CallContext, includeUnlisted: boolean) {
    const res = await this.catalog.call(
      'listProducts',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        query: query.q ?? '',
        category: query.category ?? '',
        town: query.town ?? '',
        producerId: query.producerId ?? '',
        includeUnlisted,
      },
      { ...ctx, idempotent: true },
    );
    return {
      items: res.products.map(productJson),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
    };
  }

  /** One public product, as a JSON string (remembered under `url` like the listing). */
  async getPublic(id: string, ctx: CallContext, url: string): Promise<string> {
    return this.cachedUnder(url, `product:${id}`, async () => JSON.stringify(await this.get(id, ctx, false)));
  }

  async get(id: string, ctx: CallContext, includeUnlisted: boolean) {
    const res = await this.catalog.call('getProduct', { id, includeUnlisted }, { ...ctx, idempotent: true });
    return productJson(res.product!);
  }

  async createProducer(body: CreateProducerDto, ctx: CallContext) {
    const res = await this.catalog.call(
      'createProducer',
      {
        ...body,
        village: body.village ?? '',
        documents: body.documents ?? [],
        kind: enumWire<catalog.ProducerKind>(body.kind, 'PRODUCER_KIND_'),
      },
      ctx,
    );
    return producerJson(res.producer!);
  }

  async getProducer(id: string, ctx: CallContext) {
    const res = await this.catalog.call('getProducer', { id }, { ...ctx, idempotent: true });
    return producerJson(res.producer!, true);
  }

  async setHouseholdShare(producerId: string, body: SetHouseholdShareDto, ctx: CallContext) {
    const res = await this.catalog.call(
      'setHouseholdShare',
      { producerId, basisPoints: body.basisPoints, effectiveFrom: body.effectiveFrom, reason: body.reason },
      { ...ctx, idempotent: true },
    );
    return producerJson(res.producer!, true);
  }

  async listProducers(query: ListProducersQuery, ctx: CallContext, mine = false) {
    const res = await this.catalog.call(
      'listProducers',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        status: enumWire<catalog.ProducerStatus>(query.status, 'PRODUCER_STATUS_'),
        mine,
      },
      { ...ctx, idempotent: true },
    );
    return {
      items: res.producers.map((p) => producerJson(p)),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
    };
  }

  async setProducerStatus(id: string, body: SetProducerStatusDto, ctx: CallContext) {
    const res = await this.catalog.call(
      'setProducerStatus',
      {
        id,
        status: enumWire<catalog.ProducerStatus>(body.status, 'PRODUCER_STATUS_'),
        reason: body.reason ?? '',
      },
      ctx,
    );
    return producerJson(res.producer!);
  }

  async certifyProduct(productId: string, body: CertifyProductDto, ctx: CallContext) {
    const res = await this.catalog.call('certifyProduct', { productId, ...body }, ctx);
    return { certificate: certificateJson(res.certificate!), product: productJson(res.product!) };
  }

  async revokeCertificate(id: string, body: RevokeCertificateDto, ctx: CallContext) {
    const res = await this.catalog.call('revokeCertificate', { id, reason: body.reason }, ctx);
    return certificateJson(res.certificate!);
  }

  async listCertificates(query: ListCertificatesQuery, ctx: CallContext) {
    const res = await this.catalog.call(
      'listCertificates',
      {
        page: { page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
        productId: query.productId ?? '',
        producerId: query.producerId ?? '',
        status: enumWire<catalog.CertificateStatus>(query.status, 'CERTIFICATE_STATUS_'),
      },
      { ...ctx, idempotent: true },
    );
    return {
      items: res.certificates.map(certificateJson),
      total: res.page?.total ?? 0,
      page: res.page?.page ?? 1,
      pageSize: res.page?.pageSize ?? 20,
    };
  }

  async reviewQueue(query: ReviewQueueQuery, ctx: CallContext) {
    const res = await this.catalog.call(
      'getReviewQueue',
      { limit: query.limit ?? 50 },
      { ...ctx, idempotent: true },
    );
    return {
      pendingProducers: {
        items: res.pendingProducers.map((p) => producerJson(p)),
        total: res.pendingProducersTotal,
      },
      uncertifiedProducts: {
        items: res.uncertifiedProducts.map(productJson),
        total: res.uncertifiedProductsTotal,
      },
    };
  }

  async createProduct(producerId: string, body: CreateProductDto, ctx: CallContext) {
    const { priceFen, status, ...fields } = body;
    const res = await this.catalog.call(
      'createProduct',
      {
        producerId,
        nameZh: fields.nameZh,
        nameEn: fields.nameEn ?? '',
        category: fields.category,
        unit: fields.unit,
        price: { fen: priceFen, currency: 'CNY' },
        stockSourceProductId: fields.stockSourceProductId ?? '',
        imageUrls: fields.imageUrls ?? [],
        originVillage: fields.originVillage ?? '',
        reliefCertification: fields.reliefCertification ?? '',
        status: enumWire<catalog.ProductStatus>(status, 'PRODUCT_STATUS_'),
      },
      ctx,
    );
    return productJson(res.product!);
  }

  async updateProduct(id: string, body: UpdateProductDto, ctx: CallContext) {
    const { priceFen, status, imageUrls, ...fields } = body;
    const res = await this.catalog.call(
      'updateProduct',
      {
        id,
        ...fields,
        price: priceFen === undefined ? undefined : { fen: priceFen, currency: 'CNY' },
        imageUrls: imageUrls ?? [],
        updateImageUrls: imageUrls !== undefined,
        status: enumWire<catalog.ProductStatus>(status, 'PRODUCT_STATUS_'),
      },
      ctx,
    );
    return productJson(res.product!);
  }

  async createLot(productId: string, body: CreateLotDto, ctx: CallContext) {
    // `@IsOptional()` lets null through as well as a missing field.
    const { suppliers, ...lot } = body;
    const res = await this.catalog.call(
      'createLot',
      {
        productId,
        ...lot,
        suppliers: (suppliers ?? []).map(({ householdId, quantity }) => ({ householdId, quantity })),
      },
      ctx,
    );
    return lotJson(res.lot!);
  }

  async listLots(productId: string, ctx: CallContext) {
    const res = await this.catalog.call('listLots', { productId }, { ...ctx, idempotent: true });
    return { items: res.lots.map(lotJson) };
  }
}
