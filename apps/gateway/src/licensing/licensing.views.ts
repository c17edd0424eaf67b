import { licensing } from '@yugong/contracts';
import { formatYuan } from '@yugong/shared/money';
import { enumName, isoOf } from '../catalog/catalog.views';

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
      minPerUnit: { fen: minFen, currency: 'CNY', display: formatYuan(minFen, 'CNY') },
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
