import { licensing } from '@yugong/contracts';
import { toTimestamp } from '@yugong/shared/grpc';
import type { DeclarationView, OverdueQuarter, PaymentView } from './declarations/declaration.repository';
import type { BatchView } from './labels/label.repository';
import type { LabelSignals, Verification } from './labels/labels.service';
import type { CoveringTerms, HistoryEntry, LicenceView } from './licences/licence.repository';

const status = (name: string | null): licensing.LicenceStatus =>
  (name ? `LICENCE_STATUS_${name.toUpperCase()}` : 'LICENCE_STATUS_UNSPECIFIED') as licensing.LicenceStatus;

const cny = (fen: number) => ({ fen, currency: 'CNY' });

function toHistoryMessage(h: HistoryEntry): licensing.LicenceStatusChange {
  return {
    fromStatus: status(h.fromStatus),
    toStatus: status(h.toStatus),
    changedBy: h.changedBy ?? '',
    reason: h.reason,
    changedAt: toTimestamp(h.changedAt),
  };
}

export function toLicenceMessage(v: LicenceView): licensing.Licence {
  return {
    id: v.id,
    number: v.number ?? '',
    producerId: v.producerId,
    productIds: v.productIds,
    commitment: { commitmentBps: v.commitmentBps, minPerUnit: cny(v.minPerUnitFen) },
    status: status(v.status),
    validFrom: v.validFrom ? toTimestamp(v.validFrom) : undefined,
    validTo: v.validTo ? toTimestamp(v.validTo) : undefined,
    note: v.note,
    appliedBy: v.appliedBy,
    createdAt: toTimestamp(v.createdAt),
    updatedAt: toTimestamp(v.updatedAt),
    covering: v.covering,
    history: v.history.map(toHistoryMessage),
  };
}

export function toTermsMessage(t: CoveringTerms): licensing.LicenceTerms {
  return {
    productId: t.productId,
    licenceId: t.licenceId,
    licenceNumber: t.licenceNumber,
    commitment: { commitmentBps: t.commitmentBps, minPerUnit: cny(t.minPerUnitFen) },
    validTo: toTimestamp(t.validTo),
  };
}

export function toBatchMessage(b: BatchView & { pages: number }): licensing.LabelBatch {
  return {
    id: b.id,
    licenceId: b.licenceId,
    licenceNumber: b.licenceNumber,
    producerId: b.producerId,
    productId: b.productId,
    lotId: b.lotId,
    lotCode: b.lotCode,
    quantity: b.quantity,
    orderedBy: b.orderedBy,
    createdAt: toTimestamp(b.createdAt),
    pages: b.pages,
  };
}

export function toVerificationMessage(v: Verification): licensing.LabelVerification {
  return {
    code: v.code,
    licenceStatus: v.status,
    licenceNumber: v.licenceNumber,
    productId: v.productId,
    productNameZh: v.productNameZh,
    productNameEn: v.productNameEn,
    producerId: v.producerId,
    producerName: v.producerName,
    originVillage: v.originVillage,
    lotId: v.lotId,
    lotCode: v.lotCode,
    scans: v.scans,
    issuedAt: toTimestamp(v.issuedAt),
  };
}

export function toSignalsMessage(s: LabelSignals): licensing.GetLabelSignalsResponse {
  return {
    forgedScans: s.forgedScans,
    unknownScans: s.unknownScans,
    overScanned: s.overScanned,
    overScanThreshold: s.overScanThreshold,
    overPlaced: s.overPlaced,
    overPlaceThreshold: s.overPlaceThreshold,
    revoked: s.revoked,
  };
}

export function toPaymentMessage(p: PaymentView): licensing.DeclarationPayment {
  return {
    id: p.id,
    amountFen: p.amountFen,
    reference: p.reference,
    recordedBy: p.recordedBy,
    recordedAt: toTimestamp(p.recordedAt),
    posted: p.postedAt !== null,
  };
}

export function toDeclarationMessage(d: DeclarationView): licensing.SalesDeclaration {
  return {
    id: d.id,
    licenceId: d.licenceId,
    licenceNumber: d.licenceNumber,
    producerId: d.producerId,
    quarter: d.quarter,
    units: d.units,
    revenueFen: d.revenueFen,
    commitmentBps: d.commitmentBps,
    minPerUnitFen: d.minPerUnitFen,
    commitmentFen: d.commitmentFen,
    paidFen: d.paidFen,
    declaredBy: d.declaredBy,
    declaredAt: toTimestamp(d.declaredAt),
    posted: d.postedAt !== null,
    note: d.note,
    payments: d.payments.map(toPaymentMessage),
  };
}

export function toOverdueMessage(o: OverdueQuarter): licensing.OverdueDeclaration {
  return {
    licenceId: o.licenceId,
    licenceNumber: o.licenceNumber,
    producerId: o.producerId,
    quarter: o.quarter,
    dueAt: toTimestamp(o.dueAt),
    daysOverdue: o.daysOverdue,
  };
}
