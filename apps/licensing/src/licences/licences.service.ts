import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  canReadAll,
  requireCaller,
  requireProducerAccess,
  requireRole,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { CatalogClient } from '../clients/catalog.client';
import {
  CatalogUnavailable,
  isUnreachable,
  LicenceNotFound,
  OwnApplication,
  ProductsNotLicensable,
} from './licence.errors';
import { LicenceRepository, type CoveringTerms, type LicenceView } from './licence.repository';
import {
  applySchema,
  byIdSchema,
  changeStatusSchema,
  chinaDate,
  listSchema,
  termsSchema,
  type ApplyInput,
  type ChangeStatusInput,
  type ListInput,
} from './licence.schemas';
import { IllegalLicenceTransition, transition } from './licence-state';
import { LabelScansStore } from '../labels/label-scans.store';
import { LicenceSyncService } from './licence-sync.service';
import { LicenceTermsVersion } from './licence-terms-version';

/** Longest GetLicenceTerms says its answer stands for by time alone. */
const STANDS_AT_MOST_MS = 86_400_000;

/**
 * LOGO licences: a producer applies over some of its certified products with a commitment; the
 * relief office approves (with a validity) or rejects, suspends, reinstates and revokes, each
 * with a reason; licences past their end expire with nobody acting. Every move is in the history,
 * and catalog is told what each licence covers after every move that changes it.
 */
@Injectable()
export class LicencesService {
  constructor(
    private readonly em: EntityManager,
    private readonly licences: LicenceRepository,
    private readonly catalog: CatalogClient,
    private readonly sync: LicenceSyncService,
    private readonly labelScans: LabelScansStore,
    private readonly termsVersion: LicenceTermsVersion,
  ) {}

  /** A producer's application (its staff, or an officer on its behalf): pending until reviewed. */
  async apply(caller: CallerIdentity | null, input: Loose<ApplyInput>): Promise<LicenceView> {
    const req = parseRequest(applySchema, input);
    const applicant = requireProducerAccess(caller, req.producerId);
    const products = await this.catalog.getProducts(req.productIds).catch((error: unknown) => {
      throw isUnreachable(error) ? new CatalogUnavailable() : error;
    });
    const known = new Map(products.map((p) => [p.id, p]));
    const problems = req.productIds.flatMap((productId) => {
      const product = known.get(productId);
      const reason = !product
        ? 'is not a product'
        : product.producerId !== req.producerId
          ? "is not this producer's product"
          : product.reliefCertification === '' || product.status !== 'PRODUCT_STATUS_ACTIVE'
            ? 'is not certified'
            : undefined;
      return reason ? [{ productId, reason }] : [];
    });
    if (problems.length > 0) {
      throw new ProductsNotLicensable(problems);
    }
    const id = await this.em.fork().transactional((tx) =>
      this.licences.insertApplication(
        tx,
        {
          producerId: req.producerId,
          commitmentBps: req.commitmentBps,
          minPerUnitFen: req.minPerUnitFen,
          note: req.note,
          appliedBy: applicant.userId,
        },
        req.productIds,
      ),
    );
    return (await this.licences.findView(this.em.fork(), id, true))!;
  }

  /** One licence with its history: readers of everything, or staff of its producer. */
  async get(caller: CallerIdentity | null, id: string): Promise<LicenceView> {
    const reader = requireCaller(caller);
    if (!canReadAll(reader)) {
      requireRole(reader, 'producer_staff');
    }
    const { id: licenceId } = parseRequest(byIdSchema, { id });
    const view = await this.licences.findView(this.em.fork(), licenceId, true);
    if (!view || !(canReadAll(reader) || reader.producerIds.includes(view.producerId))) {
      // Another producer's licence is as unknown to its staff as a made-up id.
      throw new LicenceNotFound(licenceId);
    }
    return view;
  }

  /** Licences: all for officers, admins and auditors; their producers' for producer staff. */
  async list(
    caller: CallerIdentity | null,
    input: Loose<ListInput>,
  ): Promise<{ items: LicenceView[]; total: number; page: number; pageSize: number }> {
    const reader = requireCaller(caller);
    if (!canReadAll(reader)) {
      requireRole(reader, 'producer_staff');
    }
    const q = parseRequest(listSchema, input);
    const { items, total } = await this.licences.page(this.em.fork(), {
      producerId: q.producerId || undefined,
      productId: q.productId || undefined,
      producerIds: canReadAll(reader) ? undefined : reader.producerIds,
      status: q.status,
      offset: q.page.offset,
      limit: q.page.limit,
    });
    return { items, total, page: q.page.page, pageSize: q.page.pageSize };
  }

  /**
   * An officer's move. Only relief officers and admins review, never an application they made;
   * each move is a conditional update, so two officers acting at once move a licence once (the
   * second gets ILLEGAL_LICENCE_TRANSITION). Catalog is told at once; if it cannot be, the move
   * stands and the expiry job's next pass tells it.
   */
  async changeStatus(caller: CallerIdentity | null, input: Loose<ChangeStatusInput>): Promise<LicenceView> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const now = new Date();
    const req = parseRequest(changeStatusSchema(now), input);
    const em = this.em.fork();
    const current = await this.licences.findView(em, req.id);
    if (!current) {
      throw new LicenceNotFound(req.id);
    }
    if (current.appliedBy === officer.userId || officer.producerIds.includes(current.producerId)) {
      throw new OwnApplication();
    }
    const to = transition(current.status, req.action);
    const moved = await em.transactional(async (tx) =>
      this.licences.move(tx, req.id, req.action, to, {
        by: officer.userId,
        reason: req.reason,
        validFrom: req.validFrom ?? undefined,
        validTo: req.validTo ?? undefined,
        number:
          req.action === 'approve'
            ? await this.licences.nextNumber(tx, chinaDate(now).slice(0, 4))
            : undefined,
      }),
    );
    if (!moved) {
      // Someone moved it between our read and our update.
      const latest = await this.licences.findView(this.em.fork(), req.id);
      throw new IllegalLicenceTransition(latest?.status ?? current.status, req.action);
    }
    // Terms orders kept and labels the verify path cached say the old status: move on from them.
    await this.termsVersion.moved();
    this.labelScans.forgetAll();
    await this.sync.push(req.id);
    return (await this.licences.findView(this.em.fork(), req.id, true))!;
  }

  /**
   * The terms of the licences covering these products now (orders at checkout), and how long the
   * answer holds by time alone when every move is announced by the terms version (else 0: not to
   * be kept).
   */
  async terms(
    input: Loose<{ productIds: string[] }>,
  ): Promise<{ terms: CoveringTerms[]; standsForMs: number }> {
    const { productIds } = parseRequest(termsSchema, input);
    const { terms, standsForMs } = await this.licences.coveringTerms(this.em.fork(), [
      ...new Set(productIds),
    ]);
    if (!this.termsVersion.announced) {
      return { terms, standsForMs: 0 };
    }
    // No start or end ahead: the answer stands until a move, said for a day at a time.
    return { terms, standsForMs: Math.min(standsForMs ?? STANDS_AT_MOST_MS, STANDS_AT_MOST_MS) };
  }

  /**
   * Expires every approved or suspended licence past its end, with nobody acting (the history
   * names no one), then tells catalog. Returns how many it expired.
   */
  async expireDue(batch = 500): Promise<number> {
    const em = this.em.fork();
    let expired = 0;
    for (const id of await this.licences.pastTheirEnd(em, batch)) {
      const from = await em.transactional((tx) =>
        this.licences.move(tx, id, 'expire', 'expired', { by: null, reason: 'validity ended' }),
      );
      if (from) {
        expired++;
      }
    }
    if (expired > 0) {
      await this.termsVersion.moved();
      this.labelScans.forgetAll();
    }
    await this.sync.pushPending();
    return expired;
  }
}
