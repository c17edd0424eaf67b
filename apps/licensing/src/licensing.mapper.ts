import { licensing } from '@yugong/contracts';
import { toTimestamp } from '@yugong/shared/grpc';
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
