import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import {
  canActForProducer,
  canReadAll,
  requireCaller,
  requireProducerAccess,
  requireRole,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { CatalogClient } from '../clients/catalog.client';
import { CatalogUnavailable, isUnreachable } from '../licences/licence.errors';
import { LicenceRepository } from '../licences/licence.repository';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { labelSheetPdf } from './label-sheet-pdf.util';
import { LabelCodec } from '@yugong/shared/labels';
import {
  LabelBatchNotFound,
  LabelNotFound,
  LotNotOfProduct,
  ProductNotLicensed,
  SheetFontMissing,
  SheetPageOutOfRange,
} from './label.errors';
import {
  LabelRepository,
  type BatchView,
  type OverPlaced,
  type OverScanned,
  type RevokedScanCount,
  type ScannedLabel,
} from './label.repository';
import { LabelScansStore, type PendingScans } from './label-scans.store';
import { LabelSignalsStore, type RefusedScans } from './label-signals.store';
import {
  orderBatchSchema,
  recordScansSchema,
  sheetSchema,
  type OrderBatchInput,
  type RecordScansInput,
  type SheetInput,
} from './label.schemas';
import { LABELS_PER_PAGE, labelSheetSvg } from './label-sheet.util';

/** Where the verify page is, and how many scans of one code are more than a package plausibly has. */
export interface LabelSettings {
  publicWebUrl: string;
  /** A TrueType font (or collection) with Chinese glyphs, embedded in PDF sheets. */
  fontFile: string;
  overScanThreshold: number;
  /** Places (client networks) one code may be scanned from before it is a signal. */
  overPlaceThreshold: number;
}
export const LABEL_SETTINGS = Symbol('LABEL_SETTINGS');

/** What a scan shows: the label, and its licence's status now in the words of the verify page. */
export type Verification = ScannedLabel & { status: 'active' | 'suspended' | 'revoked' | 'expired' };

export interface LabelSignals {
  forgedScans: number;
  unknownScans: number;
  overScanned: OverScanned[];
  overScanThreshold: number;
  overPlaced: OverPlaced[];
  overPlaceThreshold: number;
  revoked: RevokedScanCount[];
}

const pagesOf = (quantity: number) => Math.ceil(quantity / LABELS_PER_PAGE);

/** The key of the places' hashes, derived from the tag key (so no second secret to keep). */
export const PLACE_KEY = Symbol('PLACE_KEY');

/**
 * Labels of licensed products: licensees order batches of codes for a lot, print them as sheets,
 * and anyone verifies a code. A code is checked by its tag first, so a forged one costs no
 * database read; scans of forged and of never-issued codes are counted in the shared
 * `LabelSignalsStore`. Scans of issued codes are counted in memory and written to their rows by
 * the flush job (`LABEL_SCAN_FLUSH_MS`), with the places they came from: a scan of a label read in
 * the last second asks the database nothing. The gateway answers repeat scans itself and sends
 * their counts in batches (`recordScans`), recorded once per batch id.
 */
@Injectable()
export class LabelsService {
  /** Refused scans counted since the last flush, added to the shared counters by the next. */
  private refusedPending: RefusedScans = { forged: 0, unknown: 0 };
  /** The flush in progress (or the last one), so that the next waits for it. */
  private flushing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly em: EntityManager,
    private readonly labels: LabelRepository,
    private readonly licences: LicenceRepository,
    private readonly catalog: CatalogClient,
    private readonly codec: LabelCodec,
    private readonly scans: LabelScansStore,
    private readonly refused: LabelSignalsStore,
    @Inject(LABEL_SETTINGS) private readonly settings: LabelSettings,
    @Inject(PLACE_KEY) private readonly placeKey: Buffer,
  ) {}

  /**
   * A batch of codes for a lot of a product a live licence covers now: staff of the licence's
   * producer, or officers and admins.
   */
  async orderBatch(
    caller: CallerIdentity | null,
    input: Loose<OrderBatchInput>,
  ): Promise<BatchView & { pages: number }> {
    requireRole(caller, 'producer_staff', 'relief_officer', 'admin');
    const req = parseRequest(orderBatchSchema, input);
    const em = this.em.fork();
    const {
      terms: [terms],
    } = await this.licences.coveringTerms(em, [req.productId]);
    const licence = terms ? await this.licences.findView(em, terms.licenceId) : undefined;
    if (!terms || !licence) {
      throw new ProductNotLicensed();
    }
    const orderer = requireProducerAccess(caller, licence.producerId);
    const [products, lots] = await Promise.all([
      this.catalog.getProducts([req.productId]),
      this.catalog.getLots([req.lotId]),
    ]).catch((error: unknown) => {
      throw isUnreachable(error) ? new CatalogUnavailable() : error;
    });
    const product = products[0];
    const lot = lots[0];
    if (!product || product.producerId !== licence.producerId) {
      throw new ProductNotLicensed();
    }
    if (!lot || lot.productId !== req.productId) {
      throw new LotNotOfProduct();
    }
    const codes = new Set<string>();
    while (codes.size < req.quantity) {
      codes.add(this.codec.issue());
    }
    const id = await em.fork().transactional((tx) =>
      this.labels.insertBatch(
        tx,
        {
          licenceId: licence.id,
          producerId: licence.producerId,
          productId: product.id,
          lotId: lot.id,
          lotCode: lot.lotCode,
          quantity: req.quantity,
          productNameZh: product.nameZh,
          productNameEn: product.nameEn,
          producerName: product.producerName,
          originVillage: product.originVillage,
          orderedBy: orderer.userId,
        },
        [...codes],
      ),
    );
    const batch = (await this.labels.findBatch(this.em.fork(), id))!;
    return { ...batch, pages: pagesOf(batch.quantity) };
  }

  /** One page of a batch's printable sheet (SVG or PDF): who may order its labels may print them. */
  async sheet(
    caller: CallerIdentity | null,
    input: Loose<SheetInput>,
  ): Promise<{ batch: BatchView & { pages: number }; svg: string; pdf: Buffer }> {
    const known = requireCaller(caller);
    const req = parseRequest(sheetSchema, input);
    const em = this.em.fork();
    const batch = await this.labels.findBatch(em, req.batchId);
    if (!batch || !canActForProducer(known, batch.producerId)) {
      // Another producer's batch is as unknown to its staff as a made-up id.
      throw new LabelBatchNotFound(req.batchId);
    }
    const pages = pagesOf(batch.quantity);
    if (req.page > pages) {
      throw new SheetPageOutOfRange(pages);
    }
    const codes = await this.labels.codesOf(em, batch.id, (req.page - 1) * LABELS_PER_PAGE, LABELS_PER_PAGE);
    if (req.format === 'pdf') {
      if (!existsSync(this.settings.fontFile)) {
        throw new SheetFontMissing();
      }
      return {
        batch: { ...batch, pages },
        svg: '',
        pdf: await labelSheetPdf(
          codes,
          this.settings.publicWebUrl,
          batch.productNameZh,
          this.settings.fontFile,
        ),
      };
    }
    return {
      batch: { ...batch, pages },
      svg: labelSheetSvg(codes, this.settings.publicWebUrl, batch.productNameZh),
      pdf: Buffer.alloc(0),
    };
  }

  /**
   * What a label says, counting the scan (and the place: `clientNetwork`, the caller's network
   * prefix, kept only as a keyed hash). A code whose tag does not verify is refused before the
   * database is asked; one that verifies but was never issued is refused after; both
   * LABEL_NOT_FOUND.
   */
  async verify(code: string, clientNetwork = ''): Promise<Verification> {
    const canonical = this.codec.verify(code);
    if (canonical === null) {
      this.refusedPending.forged++;
      throw new LabelNotFound();
    }
    let entry = this.scans.cached(canonical);
    if (!entry) {
      const row = await this.labels.find(this.em.fork(), canonical);
      if (!row) {
        this.refusedPending.unknown++;
        throw new LabelNotFound();
      }
      entry = this.scans.cached(canonical) ?? this.scans.remember(row);
    }
    const now = new Date();
    const { validTo, ...label } = entry.row;
    const place = this.placeOf(clientNetwork);
    const scans = this.scans.count(entry, place, label.licenceStatus === 'revoked', now);
    const ended = validTo !== null && validTo <= now;
    const status =
      label.licenceStatus === 'suspended' || label.licenceStatus === 'revoked'
        ? label.licenceStatus
        : label.licenceStatus === 'approved' && !ended
          ? 'active'
          : 'expired';
    return { ...label, ended, scans, status };
  }

  /**
   * A gateway's batch of scans of labels it answered itself: counted once per `batchId` (a retry
   * counts nothing again), with their places; forged scans it refused go to the shared counters.
   * Answers the codes' stored scans. A code whose tag does not verify here is counted as forged.
   */
  async recordScans(
    input: Loose<RecordScansInput>,
  ): Promise<{ replayed: boolean; totals: { code: string; scans: number }[] }> {
    const req = parseRequest(recordScansSchema, input);
    let forged = req.forgedScans;
    const byCode = new Map<string, PendingScans>();
    for (const entry of req.scans) {
      const code = this.codec.verify(entry.code);
      if (code === null) {
        forged += entry.scans;
        continue;
      }
      let p = byCode.get(code);
      if (!p) {
        p = { code, scans: 0, revokedScans: 0, lastScannedAt: entry.lastScannedAt, places: new Set() };
        byCode.set(code, p);
      }
      p.scans += entry.scans;
      p.revokedScans += entry.revokedScans;
      if (entry.lastScannedAt > p.lastScannedAt) {
        p.lastScannedAt = entry.lastScannedAt;
      }
      const place = this.placeOf(entry.clientNetwork);
      if (place) {
        p.places.add(place);
      }
    }
    // This process's own scans first, so that the totals answered include them.
    await this.flushScans();
    const result = await this.em
      .fork()
      .transactional((tx) => this.labels.recordScanBatch(tx, req.batchId, [...byCode.values()]));
    // Labels cached here would answer counts without the batch's scans for up to a second.
    this.scans.forget(byCode.keys());
    if (!result.replayed && forged > 0) {
      // After the commit: a batch whose write failed is retried, and its forged scans with it.
      await this.refused.add({ forged });
    }
    return result;
  }

  /** Forgets batch ids older than a day. */
  pruneScanBatches(): Promise<number> {
    return this.labels.pruneScanBatches(this.em.fork(), new Date(Date.now() - 86_400_000));
  }

  /** The keyed hash of a client network, or null when the network is unknown. */
  private placeOf(clientNetwork: string): string | null {
    return clientNetwork
      ? createHmac('sha256', this.placeKey).update(clientNetwork).digest('hex').slice(0, 32)
      : null;
  }

  /**
   * Writes the scans counted since the last flush; gives them back if the write fails. Flushes run
   * one after another: a reader that flushes first (the signals) must not read while the job's
   * flush, which already took the pending scans, is still writing them.
   */
  flushScans(): Promise<number> {
    const run = this.flushing.then(() => this.flushPending());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushPending(): Promise<number> {
    const pending = this.scans.drain();
    try {
      await this.em.fork().transactional((tx) => this.labels.writeScans(tx, pending));
    } catch (error) {
      this.scans.restore(pending);
      throw error;
    }
    const refused = this.refusedPending;
    if (refused.forged > 0 || refused.unknown > 0) {
      this.refusedPending = { forged: 0, unknown: 0 };
      await this.refused.add(refused).catch((error: unknown) => {
        this.refusedPending.forged += refused.forged;
        this.refusedPending.unknown += refused.unknown;
        throw error;
      });
    }
    return pending.reduce((n, p) => n + p.scans, 0);
  }

  /** Counterfeit signals for the office: officers, admins and auditors. */
  async signals(caller: CallerIdentity | null): Promise<LabelSignals> {
    if (!canReadAll(requireCaller(caller))) {
      throw new PermissionDenied('only the relief office and auditors read counterfeit signals');
    }
    // What this process counted first, so that the signals include it.
    await this.flushScans();
    const em = this.em.fork();
    const threshold = this.settings.overScanThreshold;
    const [refused, overScanned, overPlaced, revoked] = await Promise.all([
      this.refused.read(),
      this.labels.overScanned(em, threshold, 100),
      this.labels.overPlaced(em, this.settings.overPlaceThreshold, 100),
      this.labels.revokedScans(em),
    ]);
    return {
      forgedScans: refused.forged,
      unknownScans: refused.unknown,
      overScanned,
      overScanThreshold: threshold,
      overPlaced,
      overPlaceThreshold: this.settings.overPlaceThreshold,
      revoked,
    };
  }
}
