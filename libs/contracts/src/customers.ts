import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Id, IsoTime, Money, Sku } from './common';

/** Topic `omni.customers.customer`, key = customerId. */
const topic = 'omni.customers.customer';

export const IdentityKind = Type.Union([
  Type.Literal('email'),
  Type.Literal('phone'),
  Type.Literal('member_card'),
  Type.Literal('messaging'),
]);

export const CustomerCreated = defineEvent({
  type: 'omni.customers.customer.created.v1',
  topic,
  description: 'A customer record was created (online sign-up, in-store member card, phone order).',
  schema: Type.Object({
    customerId: Id,
    identities: Type.Array(Type.Object({ kind: IdentityKind, verified: Type.Boolean() })),
  }),
});

export const CustomerMerged = defineEvent({
  type: 'omni.customers.customer.merged.v1',
  topic,
  description:
    'Two records were proven to be one person; `mergedId` now points to `survivorId`. Other services re-point references.',
  schema: Type.Object({ survivorId: Id, mergedId: Id, mergeId: Id }),
});

export const PointsChanged = defineEvent({
  type: 'omni.customers.customer.points-changed.v1',
  topic,
  description: 'Points accrued, spent, refunded or expired.',
  schema: Type.Object({
    customerId: Id,
    delta: Type.Integer(),
    balance: Type.Integer(),
    reason: Type.Union([
      Type.Literal('accrual'),
      Type.Literal('redemption'),
      Type.Literal('refund'),
      Type.Literal('expiry'),
      Type.Literal('merge'),
      Type.Literal('adjustment'),
      Type.Literal('reversal'),
    ]),
    orderId: Type.Optional(Id),
  }),
});

export const LevelChanged = defineEvent({
  type: 'omni.customers.customer.level-changed.v1',
  topic,
  description: 'Member level changed after points moved past a threshold.',
  schema: Type.Object({ customerId: Id, from: Type.String(), to: Type.String() }),
});

export const CustomerErased = defineEvent({
  type: 'omni.customers.customer.erased.v1',
  topic,
  description: 'Personal data was erased on request; order history stays, anonymised.',
  schema: Type.Object({ customerId: Id }),
});

export const StorePurchaseRecorded = defineEvent({
  type: 'omni.customers.customer.store-purchase-recorded.v1',
  topic,
  description:
    'A till sale or return was matched to a member (by card or phone): it is in their history and their points moved. ' +
    'Orders counts the units against per-customer purchase limits (a return gives them back).',
  schema: Type.Object({
    customerId: Id,
    /** `<storeId>:<clientOpId>` of inventory's StoreSaleRecorded. */
    saleId: Id,
    storeId: Id,
    kind: Type.Union([Type.Literal('sale'), Type.Literal('return')]),
    lines: Type.Array(Type.Object({ sku: Sku, qty: Type.Integer({ minimum: 1 }) }), { maxItems: 50 }),
    total: Type.Optional(Money),
    /** Points credited (sale) or taken back (return, negative). */
    points: Type.Integer(),
    occurredAt: IsoTime,
  }),
});

/** Coupons ride the customer topic (key = customerId): a wallet's events stay in order. */
const couponTopic = topic;

export const CouponReason = Type.Union([
  Type.Literal('late_delivery'),
  Type.Literal('goodwill'),
  Type.Literal('promotion'),
]);

const CouponRef = {
  couponId: Id,
  customerId: Id,
  value: Money,
};

export const CouponIssued = defineEvent({
  type: 'omni.customers.coupon.issued.v1',
  topic: couponTopic,
  description: "A coupon went into a customer's wallet (by ops, or by the system for a late delivery).",
  schema: Type.Object({
    ...CouponRef,
    reason: CouponReason,
    expiresAt: IsoTime,
    orderId: Type.Optional(Id),
  }),
});

export const CouponRedeemed = defineEvent({
  type: 'omni.customers.coupon.redeemed.v1',
  topic: couponTopic,
  description: 'A coupon was spent on an order at checkout (once: a coupon pays for one order).',
  schema: Type.Object({ ...CouponRef, orderId: Id }),
});

export const CouponReleased = defineEvent({
  type: 'omni.customers.coupon.released.v1',
  topic: couponTopic,
  description:
    'The order that spent the coupon was cancelled or never placed: the coupon is back in the wallet (or expired, if past its date).',
  schema: Type.Object({
    ...CouponRef,
    orderId: Id,
    status: Type.Union([Type.Literal('active'), Type.Literal('expired')]),
  }),
});

export const CouponExpired = defineEvent({
  type: 'omni.customers.coupon.expired.v1',
  topic: couponTopic,
  description: 'An unspent coupon passed its expiry date.',
  schema: Type.Object({ ...CouponRef, expiredAt: IsoTime }),
});

export const customerEvents = [
  CustomerCreated,
  CustomerMerged,
  PointsChanged,
  LevelChanged,
  CustomerErased,
  StorePurchaseRecorded,
  CouponIssued,
  CouponRedeemed,
  CouponReleased,
  CouponExpired,
];
