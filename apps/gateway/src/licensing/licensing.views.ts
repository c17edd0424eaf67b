import { licensing } from '@yugong/contracts';
import { moneyJson as yuan } from '../common/money.view';
import { enumName, isoOf } from '../catalog/catalog.views';
import type { LotImpact } from './lot-impact.service';

const status = (s: licensing.LicenceStatus) =>
  s === licensing.LicenceStatus.LICENCE_STATUS_UNSPECIFIED ? null : enumName(s, 'LICENCE_STATUS_');

/** A LOGO licence as the REST API answers it; `history` only where it was asked. */
export function licenceJson(l: licensing.Licence) {
  const minFen = l.commitment?.minPerUnit?.fen ?? 0;
  return {
    id: l.id,
    number: l.number || null,
    producerId: l.producerId,
    productIds: l.productIds,
    commitment: {
      bps: l.commitment?.commitmentBps ?? 0,
      minPerUnit: yuan(minFen),
    },
    status: status(l.status),
    validFrom: isoOf(l.validFrom),
    validTo: isoOf(l.validTo),
    covering: l.covering,
    note: l.note,
    appliedBy: l.appliedBy,
    createdAt: isoOf(l.createdAt),
    updatedAt: isoOf(l.updatedAt),
    history: l.history.map((h) => ({
      from: status(h.fromStatus),
      to: status(h.toStatus),
      by: h.changedBy || null,
      reason: h.reason,
      at: isoOf(h.changedAt),
    })),
  };
}

/** A batch of label codes. */
export function labelBatchJson(b: licensing.LabelBatch) {
  return {
    id: b.id,
    licenceId: b.licenceId,
    licenceNumber: b.licenceNumber,
    producerId: b.producerId,
    productId: b.productId,
    lotId: b.lotId,
    lotCode: b.lotCode,
    quantity: b.quantity,
    pages: b.pages,
    orderedBy: b.orderedBy,
    createdAt: isoOf(b.createdAt),
  };
}

/** What the verify page shows of a genuine label: never a household. */
export function labelVerificationJson(l: licensing.LabelVerification, impact: LotImpact | null) {
  return {
    valid: true,
    code: l.code,
    licence: { number: l.licenceNumber, status: l.licenceStatus },
    product: { id: l.productId, nameZh: l.productNameZh, nameEn: l.productNameEn },
    producer: { id: l.producerId, name: l.producerName },
    originVillage: l.originVillage,
    lot: { id: l.lotId, code: l.lotCode },
    impact: impact && {
      households: impact.households,
      villages: impact.villages,
      toHouseholds: yuan(impact.householdFen),
      toVillageCollectives: yuan(impact.villageCollectiveFen),
    },
    scans: l.scans,
    issuedAt: isoOf(l.issuedAt),
  };
}

export function labelSignalsJson(s: licensing.GetLabelSignalsResponse) {
  return {
    forgedScans: s.forgedScans,
    unknownScans: s.unknownScans,
    overScanThreshold: s.overScanThreshold,
    overScanned: s.overScanned,
    overPlaceThreshold: s.overPlaceThreshold,
    overPlaced: s.overPlaced,
    revoked: s.revoked,
  };
}

/** A quarter's declaration of off-platform sales, with its payments. */
export function declarationJson(d: licensing.SalesDeclaration) {
  return {
    id: d.id,
    licenceId: d.licenceId,
    licenceNumber: d.licenceNumber || null,
    producerId: d.producerId,
    quarter: d.quarter,
    units: d.units,
    revenue: yuan(d.revenueFen),
    terms: { bps: d.commitmentBps, minPerUnit: yuan(d.minPerUnitFen) },
    commitment: yuan(d.commitmentFen),
    paid: yuan(d.paidFen),
    due: yuan(d.commitmentFen - d.paidFen),
    note: d.note,
    declaredBy: d.declaredBy,
    declaredAt: isoOf(d.declaredAt),
    postedToLedger: d.posted,
    payments: d.payments.map(declarationPaymentJson),
  };
}

export function declarationPaymentJson(p: licensing.DeclarationPayment) {
  return {
    id: p.id,
    amount: yuan(p.amountFen),
    reference: p.reference,
    recordedBy: p.recordedBy,
    recordedAt: isoOf(p.recordedAt),
    postedToLedger: p.posted,
  };
}

/** A quarter of a live licence with no declaration past the grace days. */
export function overdueDeclarationJson(o: licensing.OverdueDeclaration) {
  return {
    licenceId: o.licenceId,
    licenceNumber: o.licenceNumber || null,
    producerId: o.producerId,
    quarter: o.quarter,
    dueAt: isoOf(o.dueAt),
    daysOverdue: o.daysOverdue,
  };
}
