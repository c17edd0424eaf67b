import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { canReadAll, requireCaller, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { ListingCache } from '../common/listing-cache.store';
import { Producer } from '../producers/producer.entity';
import { chinaDate } from '../producers/producer.schemas';
import { ProducerRepository } from '../producers/producer.repository';
import { Product } from '../products/product.entity';
import { ProductNotFound } from '../products/product.errors';
import { ProductRepository, type ProductView } from '../products/product.repository';
import { CertificateRepository, type CertificateView } from './certificate.repository';
import {
  AlreadyCertified,
  CertificateNotFound,
  CertificateNotValid,
  ProducerNotVerified,
} from './certification.errors';
import {
  certifySchema,
  listCertificatesSchema,
  reviewQueueSchema,
  revokeSchema,
  type CertifyInput,
  type ListCertificatesInput,
  type RevokeInput,
} from './certification.schemas';
import { ProductCertificate } from './product-certificate.entity';

/** What waits for the relief office's review. */
export interface ReviewQueue {
  pendingProducers: Producer[];
  pendingProducersTotal: number;
  uncertifiedProducts: ProductView[];
  uncertifiedProductsTotal: number;
}

/**
 * Product certification (扶贫产品认定): the relief office certifies a product with a validity,
 * the platform issues the number, and the product is on sale while the certificate is valid.
 * Revocation or expiry takes it off sale at once, the cached listings included; its orders stay.
 */
@Injectable()
export class CertificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly certificates: CertificateRepository,
    @InjectRepository(Product) private readonly products: ProductRepository,
    @InjectRepository(Producer) private readonly producers: ProducerRepository,
    private readonly cache: ListingCache,
  ) {}

  /**
   * Certifies a product of a verified producer and puts it on sale (an archived product stays
   * archived). A product holds one valid certificate at most: a unique partial index refuses a
   * second, also when two officers certify at once.
   */
  async certify(
    caller: CallerIdentity | null,
    input: Loose<CertifyInput>,
  ): Promise<{ certificate: CertificateView; product: ProductView }> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const now = new Date();
    const req = parseRequest(certifySchema(now), input);
    const em = this.em.fork();
    let id: string;
    try {
      id = await em.transactional(async (tx) => {
        const product = await tx.findOne(
          Product,
          { id: req.productId },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (!product) {
          throw new ProductNotFound(req.productId);
        }
        const producer = await tx.findOneOrFail(Producer, { id: product.producer.id });
        if (producer.status !== 'verified') {
          throw new ProducerNotVerified(producer.id);
        }
        if (await tx.count(ProductCertificate, { product, status: 'valid' })) {
          throw new AlreadyCertified(product.id);
        }
        const certificate = tx.create(ProductCertificate, {
          number: await this.certificates.nextNumber(tx, chinaDate(now).slice(0, 4)),
          product,
          validFrom: req.validFrom,
          validTo: req.validTo,
          certifiedBy: officer.userId,
        });
        product.reliefCertification = certificate.number;
        if (product.status === 'draft') {
          product.status = 'active';
        }
        return certificate.id;
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AlreadyCertified(req.productId);
      }
      throw error;
    }
    await this.cache.invalidate();
    return {
      certificate: (await this.certificates.findView(this.em.fork(), id))!,
      product: (await this.products.findView(req.productId))!,
    };
  }

  /** Revokes a valid certificate with a reason: the product is off sale from this instant. */
  async revoke(caller: CallerIdentity | null, input: Loose<RevokeInput>): Promise<CertificateView> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(revokeSchema, input);
    const ended = await this.em
      .fork()
      .transactional((tx) =>
        this.certificates.end(tx, req.id, { status: 'revoked', by: officer.userId, reason: req.reason }),
      );
    if (ended) {
      await this.cache.invalidate();
    }
    const view = await this.certificates.findView(this.em.fork(), req.id);
    if (!view) {
      throw new CertificateNotFound(req.id);
    }
    if (!ended && view.status !== 'revoked') {
      throw new CertificateNotValid(view.status);
    }
    return view;
  }

  /**
   * Ends every valid certificate past its end and takes its product off sale; the expiry job's
   * pass, with nobody acting. Returns how many it ended.
   */
  async expireDue(batch = 500): Promise<number> {
    const em = this.em.fork();
    let expired = 0;
    for (const id of await this.certificates.pastTheirEnd(em, batch)) {
      if (await em.transactional((tx) => this.certificates.end(tx, id, { status: 'expired' }))) {
        expired++;
      }
    }
    if (expired > 0) {
      await this.cache.invalidate();
    }
    return expired;
  }

  /** Certificates: all for officers, admins and auditors; their producers' for producer staff. */
  async list(
    caller: CallerIdentity | null,
    input: Loose<ListCertificatesInput>,
  ): Promise<{ items: CertificateView[]; total: number; page: number; pageSize: number }> {
    const known = requireCaller(caller);
    if (!canReadAll(known)) {
      requireRole(known, 'producer_staff');
    }
    const q = parseRequest(listCertificatesSchema, input);
    const { items, total } = await this.certificates.page(this.em.fork(), {
      productId: q.productId || undefined,
      producerId: q.producerId || undefined,
      producerIds: canReadAll(known) ? undefined : known.producerIds,
      status: q.status,
      offset: q.page.offset,
      limit: q.page.limit,
    });
    return { items, total, page: q.page.page, pageSize: q.page.pageSize };
  }

  /** Producers waiting for review and products waiting for certification (officers, auditors). */
  async reviewQueue(caller: CallerIdentity | null, input: Loose<{ limit: number }>): Promise<ReviewQueue> {
    requireRole(caller, 'relief_officer', 'admin', 'auditor');
    const { limit } = parseRequest(reviewQueueSchema, input);
    const [pendingProducers, pendingProducersTotal] = await this.producers.pending(limit);
    const uncertified = await this.products.uncertified(limit);
    return {
      pendingProducers,
      pendingProducersTotal,
      uncertifiedProducts: uncertified.items,
      uncertifiedProductsTotal: uncertified.total,
    };
  }
}
