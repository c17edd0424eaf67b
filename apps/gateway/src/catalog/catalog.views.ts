import { catalog, type Timestamp } from '@yugong/contracts';
import { moneyJson } from '../common/money.view';

/** A product as the REST API shows it. */
export interface ProductJson {
  id: string;
  producerId: string;
  producerName: string;
  town: string;
  nameZh: string;
  nameEn: string;
  category: string;
  unit: string;
  price: { fen: number; currency: string; display: string };
  imageUrls: string[];
  originVillage: string;
  reliefCertification: string;
  status: string;
  stock: number;
  /** The product whose lots it sells from; null when it sells from its own. */
  stockSourceProductId: string | null;
  /** A LOGO licence covers it now: the storefront shows the LOGO. */
  licensed: boolean;
  /** That licence's number; null when none covers it. */
  licenceNumber: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** `PRODUCT_STATUS_ACTIVE` → `active`. */
export function enumName(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : value.toLowerCase();
}

/** `active` → `PRODUCT_STATUS_ACTIVE`. */
export function enumWire<T extends string>(name: string | undefined, prefix: string): T {
  return `${prefix}${(name ?? 'unspecified').toUpperCase()}` as T;
}

export function isoOf(timestamp: Timestamp | undefined | null): string | null {
  return timestamp
    ? new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString()
    : null;
}

export function productJson(p: catalog.Product): ProductJson {
  const fen = p.price?.fen ?? 0;
  const currency = p.price?.currency || 'CNY';
  return {
    id: p.id,
    producerId: p.producerId,
    producerName: p.producerName,
    town: p.town,
    nameZh: p.nameZh,
    nameEn: p.nameEn,
    category: p.category,
    unit: p.unit,
    price: moneyJson(fen, currency),
    imageUrls: p.imageUrls,
    originVillage: p.originVillage,
    reliefCertification: p.reliefCertification,
    status: enumName(p.status, 'PRODUCT_STATUS_'),
    stock: p.stock,
    stockSourceProductId: p.stockSourceProductId || null,
    licensed: p.licensed,
    licenceNumber: p.licenceNumber || null,
    createdAt: isoOf(p.createdAt),
    updatedAt: isoOf(p.updatedAt),
  };
}

/** A producer; with `withHistory`, every step of its household share (who set it: officers' view only). */
export function producerJson(p: catalog.Producer, withHistory = false) {
  return {
    id: p.id,
    kind: enumName(p.kind, 'PRODUCER_KIND_'),
    legalName: p.legalName,
    creditCode: p.creditCode,
    town: p.town,
    village: p.village,
    status: enumName(p.status, 'PRODUCER_STATUS_'),
    householdShareBps: p.householdShareBps,
    documents: p.documents ?? [],
    appliedBy: p.appliedBy || null,
    createdAt: isoOf(p.createdAt),
    updatedAt: isoOf(p.updatedAt),
    ...(withHistory && {
      statusHistory: (p.statusHistory ?? []).map((step) => ({
        fromStatus: step.fromStatus ? enumName(step.fromStatus, 'PRODUCER_STATUS_') : null,
        toStatus: enumName(step.toStatus, 'PRODUCER_STATUS_'),
        reason: step.reason,
        changedBy: step.changedBy || null,
        createdAt: isoOf(step.createdAt),
      })),
      householdShareHistory: (p.householdShareHistory ?? []).map((step) => ({
        id: step.id,
        fromBasisPoints: step.fromBasisPoints ?? null,
        basisPoints: step.basisPoints,
        effectiveFrom: isoOf(step.effectiveFrom),
        reason: step.reason,
        changedBy: step.changedBy || null,
        createdAt: isoOf(step.createdAt),
      })),
    }),
  };
}

export function lotJson(l: catalog.Lot) {
  return {
    id: l.id,
    productId: l.productId,
    lotCode: l.lotCode,
    producedOn: l.producedOn,
    quantity: l.quantity,
    onHand: l.onHand,
    createdAt: isoOf(l.createdAt),
    suppliers: (l.suppliers ?? []).map((s) => ({ householdId: s.householdId, quantity: s.quantity })),
  };
}

/** A product's certificate; who certified and revoked shows to officers, admins and auditors. */
export function certificateJson(c: catalog.Certificate) {
  return {
    id: c.id,
    number: c.number,
    productId: c.productId,
    producerId: c.producerId,
    productNameZh: c.productNameZh,
    producerName: c.producerName,
    validFrom: isoOf(c.validFrom),
    validTo: isoOf(c.validTo),
    status: enumName(c.status, 'CERTIFICATE_STATUS_'),
    certifiedBy: c.certifiedBy || null,
    createdAt: isoOf(c.createdAt),
    endedAt: isoOf(c.endedAt),
    revokedBy: c.revokedBy || null,
    revocationReason: c.revocationReason || null,
  };
}
