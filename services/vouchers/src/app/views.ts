import { displayCode } from '../domain/codes';
import type { Offer } from '../domain/offer';
import { remaining, type Voucher } from '../domain/voucher';
import type { Redemption, VoucherConflict } from '../store/collections';
import type { VouchersContext } from './context';

/** What the counter sees of a voucher: never its code. */
export function staffVoucherView(v: Voucher) {
  return {
    voucherId: v._id,
    offerId: v.offerId,
    orderId: v.orderId,
    sku: v.sku,
    kind: v.kind,
    status: v.status,
    face: v.face,
    remaining: { amountMinor: remaining(v), currency: v.face.currency },
    redemptions: v.redemptions,
    validFrom: v.validFrom,
    validUntil: v.validUntil,
  };
}

/** The customer's view: the code and the signed QR while the voucher can be redeemed. */
export function customerVoucherView(ctx: VouchersContext, v: Voucher) {
  const open = v.status === 'active';
  const code = open ? ctx.codes.codeFor(v._id, v.codeNonce) : null;
  return {
    ...staffVoucherView(v),
    pricePaid: v.pricePaid,
    ...(v.refund ? { refund: { amount: v.refund.amount, reason: v.refund.reason, at: v.refund.at } } : {}),
    code: code ? displayCode(code) : null,
    qr: code
      ? ctx.codes.qrFor({ voucherId: v._id, code, exp: Math.floor(Date.parse(v.validUntil) / 1000) })
      : null,
  };
}

export function redemptionView(r: Redemption) {
  return {
    redemptionId: r._id,
    voucherId: r.voucherId,
    offerId: r.offerId,
    orderId: r.orderId,
    storeId: r.storeId,
    clerk: r.clerk,
    amount: r.amount,
    settlement: r.settlement,
    redeemedAt: r.redeemedAt,
    recordedAt: r.recordedAt,
    offline: r.offline,
    ...(r.clientOpId ? { clientOpId: r.clientOpId } : {}),
    ...(r.movement ? { movement: r.movement } : {}),
  };
}

export function offerView(o: Offer) {
  const { createdBy: _by, ...rest } = o;
  const { _id, ...fields } = rest;
  return { offerId: _id, ...fields };
}

export function conflictView(c: VoucherConflict) {
  const { _id, ...rest } = c;
  return { conflictId: _id, ...rest };
}
