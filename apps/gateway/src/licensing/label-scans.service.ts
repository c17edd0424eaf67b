import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { licensing } from '@yugong/contracts';
import { NotFound } from '@yugong/shared/errors';
import { toTimestamp } from '@yugong/shared/grpc';
import type { LabelCodec } from '@yugong/shared/labels';
import { lru } from '@yugong/shared/cache';
import { LicensingClient } from './licensing.client';

/** How long a label read from licensing answers scans in this gateway: a revocation shows within it. */
export const LABEL_VIEW_TTL_MS = 1_000;

/** Entries (code and place) one batch carries at most; the rest wait for the next. */
export const MAX_BATCH_ENTRIES = 10_000;

/** The tag check (absent: no `LABEL_TAG_KEY`, every scan goes to licensing) and the batches' deadline. */
export interface LabelScanSettings {
  codec: LabelCodec | null;
  deadlineMs: number;
}
export const LABEL_SCAN_SETTINGS = Symbol('LABEL_SCAN_SETTINGS');

/** A label as licensing last told this gateway, and the scans it had stored then. */
interface View {
  label: licensing.LabelVerification;
  /** The scans licensing reported (VerifyLabel, or a batch's totals). */
  reported: number;
}

/** A view being read, then read. */
interface Slot {
  loaded: Promise<View>;
  view?: View;
}

/** Scans of one code from one place not yet sent. */
interface Pending {
  code: string;
  clientNetwork: string;
  scans: number;
  revokedScans: number;
  lastScannedAt: Date;
}

/** A batch sent and not yet acknowledged: resent as is (same id) until licensing takes it. */
interface Batch {
  id: string;
  entries: Pending[];
  forgedScans: number;
}

const notGenuine = () => new NotFound('label', 'code');

/**
 * The verify path's state in this gateway. A code whose tag does not verify is refused here
 * without any call. A label read from licensing (`VerifyLabel`, which counts that scan) answers
 * the scans of the next {@link LABEL_VIEW_TTL_MS} from this process; those scans are counted here
 * per code and place and sent in batches (`RecordLabelScans`, idempotent per batch id). A scan
 * answers the count licensing last reported plus this gateway's scans it has not yet
 * acknowledged: another gateway's scans show once licensing has them and this one reads again.
 */
@Injectable()
export class LabelScans {
  private readonly views = lru<string, Slot>(50_000, { ttl: LABEL_VIEW_TTL_MS });
  /** Per code, scans counted here and not yet acknowledged by licensing (pending and in flight). */
  private readonly unacknowledged = new Map<string, number>();
  private pending = new Map<string, Pending>();
  private forgedScans = 0;
  private held: Batch | undefined;
  private flushing: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly licensing: LicensingClient,
    @Inject(LABEL_SCAN_SETTINGS) private readonly settings: LabelScanSettings,
  ) {}

  /**
   * The canonical code, when its tag verifies and this gateway holds its view now (a scan of it
   * needs no call); else undefined.
   */
  heldCode(code: string): string | undefined {
    const canonical = this.settings.codec?.verify(code);
    return canonical && this.views.get(canonical)?.view ? canonical : undefined;
  }

  /**
   * The label with this scan counted, if this gateway still holds the view of `canonical` (a code
   * {@link heldCode} answered: its tag is not checked again); no call, no wait.
   */
  scanCached(canonical: string, clientNetwork: string): licensing.LabelVerification | undefined {
    const view = this.views.get(canonical)?.view;
    return view && this.count(view, clientNetwork);
  }

  /**
   * What a label says, this scan counted: refused here when its tag does not verify, answered
   * from this process when its label was read within the last second, else asked of licensing.
   */
  scan(code: string, clientNetwork: string, requestId: string): Promise<licensing.LabelVerification> {
    const codec = this.settings.codec;
    if (!codec) {
      return this.ask(code, clientNetwork, requestId).then((v) => v.label);
    }
    const canonical = codec.verify(code);
    if (canonical === null) {
      this.forgedScans++;
      return Promise.reject(notGenuine());
    }
    const cached = this.views.get(canonical);
    if (cached) {
      return cached.view
        ? Promise.resolve(this.count(cached.view, clientNetwork))
        : cached.loaded.then((v) => this.count(v, clientNetwork));
    }
    // Scans that arrive while it loads wait for it and are counted here.
    const slot: Slot = { loaded: this.ask(canonical, clientNetwork, requestId) };
    this.views.set(canonical, slot);
    slot.loaded.then(
      (v) => {
        slot.view = v;
      },
      () => {
        if (this.views.peek(canonical) === slot) {
          this.views.delete(canonical);
        }
      },
    );
    return slot.loaded.then((v) => this.shown(v));
  }

  private async ask(code: string, clientNetwork: string, requestId: string): Promise<View> {
    const res = await this.licensing.call(
      'verifyLabel',
      { code, clientNetwork },
      { caller: null, requestId },
    );
    return { label: res.label!, reported: res.label!.scans };
  }

  private count(view: View, clientNetwork: string): licensing.LabelVerification {
    const code = view.label.code;
    const key = `${code} ${clientNetwork}`;
    const now = new Date();
    let p = this.pending.get(key);
    if (!p) {
      p = { code, clientNetwork, scans: 0, revokedScans: 0, lastScannedAt: now };
      this.pending.set(key, p);
    }
    p.scans++;
    p.revokedScans += view.label.licenceStatus === 'revoked' ? 1 : 0;
    p.lastScannedAt = now;
    this.unacknowledged.set(code, (this.unacknowledged.get(code) ?? 0) + 1);
    return this.shown(view);
  }

  private shown(view: View): licensing.LabelVerification {
    return { ...view.label, scans: view.reported + (this.unacknowledged.get(view.label.code) ?? 0) };
  }

  /**
   * Sends the scans counted since the last batch (or the batch licensing has not acknowledged
   * yet, first, under its own id); answers the scans sent. Passes run one after another. A
   * failure keeps the batch for the next pass and is thrown.
   */
  flush(): Promise<number> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.catch(() => 0);
    return run;
  }

  private async flushOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = this.held ?? this.take();
      if (!batch) {
        return sent;
      }
      this.held = batch;
      // Idempotent per batch id: the client retries UNAVAILABLE within the deadline, and a batch
      // that failed is sent again as is by the next pass, so it is counted once whatever happens.
      const res = await this.licensing.call(
        'recordLabelScans',
        {
          batchId: batch.id,
          forgedScans: batch.forgedScans,
          scans: batch.entries.map((e) => ({ ...e, lastScannedAt: toTimestamp(e.lastScannedAt) })),
        },
        { requestId: batch.id, idempotent: true, deadlineMs: this.settings.deadlineMs },
      );
      this.held = undefined;
      this.acknowledge(batch, res.totals);
      sent += batch.entries.reduce((n, e) => n + e.scans, 0);
    }
  }

  /** The next batch from what is pending, or undefined when nothing is. */
  private take(): Batch | undefined {
    if (this.pending.size === 0 && this.forgedScans === 0) {
      return undefined;
    }
    const entries: Pending[] = [];
    for (const [key, p] of this.pending) {
      if (entries.length >= MAX_BATCH_ENTRIES) {
        break;
      }
      entries.push(p);
      this.pending.delete(key);
    }
    const batch = { id: randomUUID(), entries, forgedScans: this.forgedScans };
    this.forgedScans = 0;
    return batch;
  }

  private acknowledge(batch: Batch, totals: licensing.LabelScanTotal[]): void {
    for (const e of batch.entries) {
      const left = (this.unacknowledged.get(e.code) ?? 0) - e.scans;
      if (left > 0) {
        this.unacknowledged.set(e.code, left);
      } else {
        this.unacknowledged.delete(e.code);
      }
    }
    for (const t of totals) {
      // Licensing's count now includes the batch (when the view is still here).
      const view = this.views.peek(t.code)?.view;
      if (view) {
        view.reported = Math.max(view.reported, t.scans);
      }
    }
  }
}
