import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Id, IsoTime, Money, Sku } from './common';

/**
 * Topic `omni.vouchers.voucher`, key = orderId: every event of the vouchers bought in one order is
 * ordered with the others (orders consumes the refund requests of one order in order). Payloads never
 * carry a voucher code.
 */
const topic = 'omni.vouchers.voucher';

const VoucherRef = { voucherId: Id, offerId: Id, orderId: Id, sku: Sku };

export const VoucherIssued = defineEvent({
  type: 'omni.vouchers.voucher.issued.v1',
  topic,
  description:
    'A voucher unit of a confirmed order got its code (shown to the customer only, never in an event).',
  schema: Type.Object({
    ...VoucherRef,
    customerId: Type.Optional(Id),
    pricePaid: Money,
    /** Value vouchers: the face value, redeemable in parts. */
    faceValue: Type.Optional(Money),
    validUntil: IsoTime,
  }),
});

export const VoucherRedeemed = defineEvent({
  type: 'omni.vouchers.voucher.redeemed.v1',
  topic,
  description:
    'A voucher was redeemed (fully or in part) at a store counter, online or synced from an offline counter.',
  schema: Type.Object({
    ...VoucherRef,
    redemptionId: Id,
    storeId: Id,
    clerk: Type.String({ maxLength: 200 }),
    /** Face value taken (value vouchers) or the voucher's price (one-use vouchers). */
    amount: Money,
    /** What the store is owed for it (share of what the customer paid). */
    settlement: Money,
    remaining: Type.Optional(Money),
    offline: Type.Boolean(),
    redeemedAt: IsoTime,
    /** Goods vouchers: the inventory reservation committed as the store's sale. */
    movementId: Type.Optional(Id),
  }),
});

export const VoucherExpired = defineEvent({
  type: 'omni.vouchers.voucher.expired.v1',
  topic,
  description: 'A voucher passed its validity window with value left.',
  schema: Type.Object({ ...VoucherRef, unused: Money }),
});

export const VoucherRefundRequested = defineEvent({
  type: 'omni.vouchers.voucher.refund-requested.v1',
  topic,
  description:
    'The unused part of a voucher is to be paid back (customer request, or automatically on expiry when the offer says so). Orders refunds it through the order payment, once per refundId.',
  schema: Type.Object({
    ...VoucherRef,
    refundId: Id,
    customerId: Type.Optional(Id),
    amount: Money,
    reason: Type.Union([Type.Literal('customer'), Type.Literal('expired'), Type.Literal('ops')]),
  }),
});

export const voucherEvents = [VoucherIssued, VoucherRedeemed, VoucherExpired, VoucherRefundRequested];
