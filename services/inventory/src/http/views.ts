import type { LocationDoc, ReservationDoc, TransferDoc } from '../domain/types';
import type {
  PurchaseOrderDoc,
  ReplenishmentRuleDoc,
  SuggestionDoc,
  SupplierDoc,
} from '../domain/purchasing';

/** API shapes: ids named for what they are, no storage internals (`_id`, versions, hashes). */

export function reservationView(r: ReservationDoc) {
  return {
    reservationId: r._id,
    locationId: r.locationId,
    ...(r.orderId ? { orderId: r.orderId } : {}),
    channel: r.channel,
    status: r.status,
    lines: r.lines,
    requested: r.requested,
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.releaseReason ? { releaseReason: r.releaseReason } : {}),
    ...(r.atRisk ? { atRisk: r.atRisk } : {}),
  };
}

export function locationView(l: LocationDoc) {
  const { _id, ...rest } = l;
  return { id: _id, ...rest };
}

export function transferView(t: TransferDoc) {
  const { _id, ...rest } = t;
  return { transferId: _id, ...rest };
}

export function suggestionView(s: SuggestionDoc) {
  const { _id, openKey: _openKey, ...rest } = s;
  return { suggestionId: _id, ...rest };
}

export function supplierView(s: SupplierDoc) {
  const { _id, ...rest } = s;
  return { supplierId: _id, ...rest };
}

export function purchaseOrderView(o: PurchaseOrderDoc) {
  const { _id, version: _version, ...rest } = o;
  return { purchaseOrderId: _id, ...rest };
}

export function ruleView(r: ReplenishmentRuleDoc) {
  const { _id: _, ...rest } = r;
  return rest;
}
