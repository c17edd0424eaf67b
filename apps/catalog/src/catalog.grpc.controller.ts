import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { catalog } from '@yugong/contracts';
import { canReadAll } from '@yugong/shared/auth';
import { Accepts, PUBLIC, SERVICE, USER, callerOf, requestIdOf, toTimestamp } from '@yugong/shared/grpc';
import {
  certificateStatus,
  toCertificateMessage,
  producerKind,
  producerStatus,
  productStatus,
  toLotMessage,
  toProducerMessage,
  toHeldLineMessage,
  toProductMessage,
  toShortageMessage,
  wireName,
} from './catalog.mapper';
import { CertificationService } from './certification/certification.service';
import { ProductLicenceService } from './licences/product-licence.service';
import { ProducerPayoutsService, type ProducerPayoutAccountView } from './payouts/producer-payouts.service';
import { ProducersService } from './producers/producers.service';
import { ProductsService } from './products/products.service';
import { StockService } from './stock/stock.service';

/** Unset optional fields may arrive as null from proto-loader; the services treat them as absent. */
function withoutNulls<T extends object>(message: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(message).filter(([, value]) => value !== null && value !== undefined),
  ) as Partial<T>;
}

function payoutAccountMessage(a: ProducerPayoutAccountView): catalog.ProducerPayoutAccount {
  return { ...a, updatedAt: toTimestamp(a.updatedAt) };
}

/** The CatalogService contract: maps wire messages to service calls and back, nothing more. */
@Controller()
@catalog.CatalogServiceControllerMethods()
export class CatalogGrpcController implements catalog.CatalogServiceController {
  constructor(
    private readonly producers: ProducersService,
    private readonly products: ProductsService,
    private readonly stock: StockService,
    private readonly certification: CertificationService,
    private readonly licences: ProductLicenceService,
    private readonly producerPayouts: ProducerPayoutsService,
  ) {}

  @Accepts({ gateway: USER })
  async createProducer(
    request: catalog.CreateProducerRequest,
    metadata?: Metadata,
  ): Promise<catalog.CreateProducerResponse> {
    const producer = await this.producers.create(callerOf(metadata), {
      ...request,
      kind: producerKind.fromWire(request.kind) ?? wireName(request.kind, 'PRODUCER_KIND_UNSPECIFIED'),
    });
    return { producer: toProducerMessage(producer) };
  }

  @Accepts({ gateway: PUBLIC })
  async getProducer(
    request: catalog.GetProducerRequest,
    metadata?: Metadata,
  ): Promise<catalog.GetProducerResponse> {
    const caller = callerOf(metadata);
    const { producer, householdShares, statusHistory } = await this.producers.getWithShares(
      caller,
      request.id,
    );
    const applicant = caller !== null && producer.appliedBy === caller.userId;
    return {
      producer: toProducerMessage(
        producer,
        householdShares,
        canReadAll(caller),
        statusHistory,
        canReadAll(caller) || applicant,
      ),
    };
  }

  @Accepts({ gateway: PUBLIC })
  async listProducers(
    request: catalog.ListProducersRequest,
    metadata?: Metadata,
  ): Promise<catalog.ListProducersResponse> {
    const result = await this.producers.list(callerOf(metadata), {
      status: producerStatus.fromWire(request.status),
      mine: request.mine,
      page: request.page,
    });
    return {
      producers: result.items.map((p) => toProducerMessage(p)),
      page: { page: result.page, pageSize: result.pageSize, total: result.total },
    };
  }

  @Accepts({ gateway: USER })
  async setProducerStatus(
    request: catalog.SetProducerStatusRequest,
    metadata?: Metadata,
  ): Promise<catalog.SetProducerStatusResponse> {
    const status =
      producerStatus.fromWire(request.status) ??
      wireName(request.status, 'PRODUCER_STATUS_UNSPECIFIED') ??
      '';
    const producer = await this.producers.setStatus(callerOf(metadata), {
      id: request.id,
      status,
      reason: request.reason,
    });
    return { producer: toProducerMessage(producer) };
  }

  @Accepts({ gateway: USER })
  async setHouseholdShare(
    request: catalog.SetHouseholdShareRequest,
    metadata?: Metadata,
  ): Promise<catalog.SetHouseholdShareResponse> {
    const { producer, householdShares, statusHistory } = await this.producers.setHouseholdShare(
      callerOf(metadata),
      request,
    );
    return { producer: toProducerMessage(producer, householdShares, true, statusHistory) };
  }

  @Accepts({ gateway: USER })
  async createProduct(
    request: catalog.CreateProductRequest,
    metadata?: Metadata,
  ): Promise<catalog.CreateProductResponse> {
    const product = await this.products.create(callerOf(metadata), {
      ...request,
      price: request.price ?? undefined,
      status:
        productStatus.fromWire(request.status) ?? wireName(request.status, 'PRODUCT_STATUS_UNSPECIFIED'),
    });
    return { product: toProductMessage(product) };
  }

  @Accepts({ gateway: USER })
  async updateProduct(
    request: catalog.UpdateProductRequest,
    metadata?: Metadata,
  ): Promise<catalog.UpdateProductResponse> {
    const { updateImageUrls, imageUrls, status, ...changes } = request;
    const product = await this.products.update(callerOf(metadata), {
      ...withoutNulls(changes),
      imageUrls: updateImageUrls ? imageUrls : undefined,
      status: productStatus.fromWire(status) ?? wireName(status, 'PRODUCT_STATUS_UNSPECIFIED'),
    });
    return { product: toProductMessage(product) };
  }

  @Accepts({ gateway: PUBLIC })
  async getProduct(
    request: catalog.GetProductRequest,
    metadata?: Metadata,
  ): Promise<catalog.GetProductResponse> {
    return {
      product: toProductMessage(
        await this.products.get(callerOf(metadata), request.id, request.includeUnlisted),
      ),
    };
  }

  @Accepts({ gateway: PUBLIC })
  async listProducts(
    request: catalog.ListProductsRequest,
    metadata?: Metadata,
  ): Promise<catalog.ListProductsResponse> {
    const result = await this.products.list(callerOf(metadata), request);
    return {
      products: result.items.map(toProductMessage),
      page: { page: result.page, pageSize: result.pageSize, total: result.total },
    };
  }

  @Accepts({ gateway: USER })
  async createLot(
    request: catalog.CreateLotRequest,
    metadata?: Metadata,
  ): Promise<catalog.CreateLotResponse> {
    const lot = await this.products.createLot(callerOf(metadata), request, {
      requestId: requestIdOf(metadata),
    });
    return { lot: toLotMessage(lot) };
  }

  @Accepts({ gateway: PUBLIC })
  async listLots(request: catalog.ListLotsRequest, metadata?: Metadata): Promise<catalog.ListLotsResponse> {
    const lots = await this.products.listLots(callerOf(metadata), request.productId);
    return { lots: lots.map(toLotMessage) };
  }

  // The ledger splitting a sale by the lots its units came from; officers and auditors tracing one;
  // licensing checking that a lot labels are ordered for is a lot of the product.
  @Accepts({ ledger: SERVICE, gateway: USER, licensing: SERVICE })
  async getLots(request: catalog.GetLotsRequest, metadata?: Metadata): Promise<catalog.GetLotsResponse> {
    const lots = await this.products.getLots(callerOf(metadata), request);
    return { lots: lots.map(toLotMessage) };
  }

  // Cart pricing: orders for itself, which may see unlisted products (why a line can't be bought);
  // licensing for itself, checking that the products of an application are certified.
  @Accepts({ orders: SERVICE, licensing: SERVICE })
  async getProducts(
    request: catalog.GetProductsRequest,
    metadata?: Metadata,
  ): Promise<catalog.GetProductsResponse> {
    const products = await this.products.getMany(callerOf(metadata), request);
    return { products: products.map(toProductMessage) };
  }

  // Orders checking out for the buyer it forwards.
  @Accepts({ orders: USER })
  async holdStock(
    request: catalog.HoldStockRequest,
    metadata?: Metadata,
  ): Promise<catalog.HoldStockResponse> {
    const outcome = await this.stock.hold(callerOf(metadata), {
      ...request,
      expiresAt: request.expiresAt ?? undefined,
    });
    return {
      held: outcome.held,
      lines: outcome.lines.map(toHeldLineMessage),
      shortages: outcome.shortages.map(toShortageMessage),
    };
  }

  @Accepts({ orders: SERVICE })
  async releaseStock(
    request: catalog.ReleaseStockRequest,
    metadata?: Metadata,
  ): Promise<catalog.ReleaseStockResponse> {
    return { releasedUnits: await this.stock.release(callerOf(metadata), request) };
  }

  @Accepts({ orders: SERVICE })
  async commitStock(
    request: catalog.CommitStockRequest,
    metadata?: Metadata,
  ): Promise<catalog.CommitStockResponse> {
    const outcome = await this.stock.commit(callerOf(metadata), request);
    return {
      committed: outcome.committed,
      lines: outcome.lines.map(toHeldLineMessage),
      shortages: outcome.shortages.map(toShortageMessage),
    };
  }

  @Accepts({ orders: SERVICE })
  async restockUnits(
    request: catalog.RestockUnitsRequest,
    metadata?: Metadata,
  ): Promise<catalog.RestockUnitsResponse> {
    return { allocations: await this.stock.restock(callerOf(metadata), request) };
  }

  @Accepts({ gateway: USER })
  async certifyProduct(
    request: catalog.CertifyProductRequest,
    metadata?: Metadata,
  ): Promise<catalog.CertifyProductResponse> {
    const { certificate, product } = await this.certification.certify(callerOf(metadata), request);
    return { certificate: toCertificateMessage(certificate, true), product: toProductMessage(product) };
  }

  @Accepts({ gateway: USER })
  async revokeCertificate(
    request: catalog.RevokeCertificateRequest,
    metadata?: Metadata,
  ): Promise<catalog.RevokeCertificateResponse> {
    return {
      certificate: toCertificateMessage(await this.certification.revoke(callerOf(metadata), request), true),
    };
  }

  @Accepts({ gateway: USER })
  async listCertificates(
    request: catalog.ListCertificatesRequest,
    metadata?: Metadata,
  ): Promise<catalog.ListCertificatesResponse> {
    const caller = callerOf(metadata);
    const result = await this.certification.list(caller, {
      ...request,
      status:
        certificateStatus.fromWire(request.status) ??
        wireName(request.status, 'CERTIFICATE_STATUS_UNSPECIFIED'),
    });
    return {
      certificates: result.items.map((c) => toCertificateMessage(c, canReadAll(caller))),
      page: { page: result.page, pageSize: result.pageSize, total: result.total },
    };
  }

  @Accepts({ gateway: USER })
  async getReviewQueue(
    request: catalog.GetReviewQueueRequest,
    metadata?: Metadata,
  ): Promise<catalog.GetReviewQueueResponse> {
    const queue = await this.certification.reviewQueue(callerOf(metadata), request);
    return {
      pendingProducers: queue.pendingProducers.map((p) => toProducerMessage(p, [], true)),
      pendingProducersTotal: queue.pendingProducersTotal,
      uncertifiedProducts: queue.uncertifiedProducts.map(toProductMessage),
      uncertifiedProductsTotal: queue.uncertifiedProductsTotal,
    };
  }

  // The licensing service stating what a LOGO licence covers.
  @Accepts({ licensing: SERVICE })
  async setProductLicence(
    request: catalog.SetProductLicenceRequest,
  ): Promise<catalog.SetProductLicenceResponse> {
    return { covered: await this.licences.set(request) };
  }

  @Accepts({ gateway: USER })
  async setProducerPayoutAccount(
    request: catalog.SetProducerPayoutAccountRequest,
    metadata?: Metadata,
  ): Promise<catalog.SetProducerPayoutAccountResponse> {
    return { account: payoutAccountMessage(await this.producerPayouts.set(callerOf(metadata), request)) };
  }

  @Accepts({ gateway: USER })
  async getProducerPayoutAccount(
    request: catalog.GetProducerPayoutAccountRequest,
    metadata?: Metadata,
  ): Promise<catalog.GetProducerPayoutAccountResponse> {
    return { account: payoutAccountMessage(await this.producerPayouts.get(callerOf(metadata), request)) };
  }

  @Accepts({ ledger: SERVICE })
  async listProducerPayoutReadiness(
    request: catalog.ListProducerPayoutReadinessRequest,
  ): Promise<catalog.ListProducerPayoutReadinessResponse> {
    return { readyProducerIds: await this.producerPayouts.readiness(request) };
  }

  @Accepts({ gateway: USER })
  async renderProducerPayoutRows(
    request: catalog.RenderProducerPayoutRowsRequest,
    metadata?: Metadata,
  ): Promise<catalog.RenderProducerPayoutRowsResponse> {
    return this.producerPayouts.renderRows(callerOf(metadata), request);
  }
}
