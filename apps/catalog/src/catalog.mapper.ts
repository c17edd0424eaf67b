import { catalog } from '@yugong/contracts';
import { toTimestamp } from '@yugong/shared/grpc';
import type { HeldLineView, Shortage, ShortageReasonName } from './stock/stock-lines.util';
import type { CertificateView } from './certification/certificate.repository';
import type { CertificateStatusName } from './certification/product-certificate.entity';
import type { HouseholdShareStep } from './producers/household-share.repository';
import type { ProducerStatusStep } from './producers/producer-status-history.repository';
import type { Producer, ProducerKindName, ProducerStatusName } from './producers/producer.entity';
import type { Lot } from './products/lot.entity';
import type { ProductStatusName } from './products/product.entity';
import type { ProductView } from './products/product.repository';

const { ProducerKind, ProducerStatus, ProductStatus } = catalog;

/** Maps between wire enums (PRODUCER_KIND_COOPERATIVE) and domain names (cooperative). */
function enumMapping<Wire extends string, Domain extends string>(prefix: string, names: readonly Domain[]) {
  const toWire = (name: Domain) => `${prefix}${name.toUpperCase()}` as Wire;
  const fromWire = (value: Wire | undefined): Domain | undefined =>
    names.find((name) => toWire(name) === value);
  return { toWire, fromWire };
}

export const producerKind = enumMapping<catalog.ProducerKind, ProducerKindName>('PRODUCER_KIND_', [
  'cooperative',
  'leading_enterprise',
  'family_farm',
  'industry_base',
]);
export const producerStatus = enumMapping<catalog.ProducerStatus, ProducerStatusName>('PRODUCER_STATUS_', [
  'pending',
  'verified',
  'suspended',
]);
export const productStatus = enumMapping<catalog.ProductStatus, ProductStatusName>('PRODUCT_STATUS_', [
  'draft',
  'active',
  'archived',
]);

/** Wire value of an enum field that was not given at all: passes validation as "missing". */
export function wireName(value: string | undefined, unspecified: string): string | undefined {
  return value === undefined || value === unspecified ? undefined : value;
}

export { toTimestamp };

/**
 * A producer on the wire; with its household share history when given. `changedBy` names
 * officers: only those who read everything (`showChangedBy`) see it.
 */
export function toProducerMessage(
  p: Producer,
  history: HouseholdShareStep[] = [],
  showChangedBy = false,
  statusHistory: ProducerStatusStep[] = [],
  showApplicant = showChangedBy,
): catalog.Producer {
  return {
    id: p.id,
    kind: producerKind.toWire(p.kind),
    legalName: p.legalName,
    creditCode: p.creditCode,
    town: p.town,
    village: p.village,
    status: producerStatus.toWire(p.status),
    householdShareBps: p.householdShareBps,
    createdAt: toTimestamp(p.createdAt),
    updatedAt: toTimestamp(p.updatedAt),
    householdShareHistory: history.map((step) => ({
      id: step.id,
      fromBasisPoints: step.fromBasisPoints ?? undefined,
      basisPoints: step.basisPoints,
      effectiveFrom: toTimestamp(step.effectiveFrom),
      reason: step.reason,
      changedBy: showChangedBy ? (step.changedBy ?? '') : '',
      createdAt: toTimestamp(step.createdAt),
    })),
    documents: showApplicant ? p.documents : [],
    statusHistory: statusHistory.map((step) => ({
      fromStatus: step.fromStatus ? producerStatus.toWire(step.fromStatus) : undefined,
      toStatus: producerStatus.toWire(step.toStatus),
      reason: step.reason,
      changedBy: showChangedBy ? (step.changedBy ?? '') : '',
      createdAt: toTimestamp(step.createdAt),
    })),
    appliedBy: showApplicant ? (p.appliedBy ?? '') : '',
  };
}

export const certificateStatus = enumMapping<catalog.CertificateStatus, CertificateStatusName>(
  'CERTIFICATE_STATUS_',
  ['valid', 'revoked', 'expired'],
);

/** A certificate on the wire; who certified and revoked shows to readers of everything only. */
export function toCertificateMessage(c: CertificateView, showOfficers: boolean): catalog.Certificate {
  return {
    id: c.id,
    number: c.number,
    productId: c.productId,
    producerId: c.producerId,
    productNameZh: c.productNameZh,
    producerName: c.producerName,
    validFrom: toTimestamp(c.validFrom),
    validTo: toTimestamp(c.validTo),
    status: certificateStatus.toWire(c.status),
    certifiedBy: showOfficers ? (c.certifiedBy ?? '') : '',
    createdAt: toTimestamp(c.createdAt),
    endedAt: c.endedAt ? toTimestamp(c.endedAt) : undefined,
    revokedBy: showOfficers ? (c.revokedBy ?? '') : '',
    revocationReason: c.revocationReason,
  };
}

export function toProductMessage(v: ProductView): catalog.Product {
  return {
    id: v.id,
    producerId: v.producerId,
    nameZh: v.nameZh,
    nameEn: v.nameEn,
    category: v.category,
    unit: v.unit,
    price: { fen: v.priceFen, currency: v.currency },
    imageUrls: v.imageUrls,
    originVillage: v.originVillage,
    reliefCertification: v.reliefCertification,
    status: productStatus.toWire(v.status),
    stock: v.stock,
    stockSourceProductId: v.stockSourceProductId ?? '',
    // The LOGO only while a licence covers the product, and only on what is certified.
    licensed: v.licenceNumber !== null && v.certified,
    licenceNumber: v.certified ? (v.licenceNumber ?? '') : '',
    producerName: v.producerName,
    town: v.town,
    createdAt: toTimestamp(v.createdAt),
    updatedAt: toTimestamp(v.updatedAt),
  };
}

export function toLotMessage(lot: Lot): catalog.Lot {
  return {
    id: lot.id,
    productId: lot.product.id,
    lotCode: lot.lotCode,
    producedOn:
      typeof lot.producedOn === 'string'
        ? lot.producedOn
        : new Date(lot.producedOn).toISOString().slice(0, 10),
    quantity: lot.quantity,
    onHand: lot.onHand,
    createdAt: toTimestamp(lot.createdAt),
    suppliers: lot.suppliers.isInitialized()
      ? lot.suppliers.getItems().map((s) => ({ householdId: s.householdId, quantity: s.quantity }))
      : [],
  };
}

export { ProducerKind, ProducerStatus, ProductStatus };

export function toHeldLineMessage(line: HeldLineView): catalog.HeldLine {
  return {
    productId: line.productId,
    quantity: line.quantity,
    unitPrice: { fen: line.unitPriceFen, currency: line.currency },
    producerId: line.producerId,
    producerName: line.producerName,
    householdShareBps: line.householdShareBps,
    productNameZh: line.nameZh,
    productNameEn: line.nameEn,
    unit: line.unit,
    allocations: line.allocations,
  };
}

const SHORTAGE_REASONS: Record<ShortageReasonName, catalog.ShortageReason> = {
  out_of_stock: catalog.ShortageReason.SHORTAGE_REASON_OUT_OF_STOCK,
  not_for_sale: catalog.ShortageReason.SHORTAGE_REASON_NOT_FOR_SALE,
  unknown_product: catalog.ShortageReason.SHORTAGE_REASON_UNKNOWN_PRODUCT,
};

export function toShortageMessage(shortage: Shortage): catalog.StockShortage {
  return { ...shortage, reason: SHORTAGE_REASONS[shortage.reason] };
}
