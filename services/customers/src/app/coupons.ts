import { isDuplicateKeyError, newId, type Page, type Session } from '@omni/store';
import { ConflictError, NotFoundError, UnprocessableError, withCursor } from '@omni/kit';
import { CouponExpired, CouponIssued, CouponRedeemed, CouponReleased } from '@omni/contracts';
import { unusableReason, type CouponDoc, type CouponMoney, type CouponReason } from '../domain/coupon';
import { resolveCustomer } from '../store/collections';
import type { Actor, CustomersContext } from './context';

/**
 * The coupon wallet: issue (ops, or the system for a late delivery), list, redeem at checkout (orders,
 * over gRPC, tied to the order), release when that order is cancelled, expire. Issue is idempotent by
 * coupon id, redeem and release by (coupon, order); one coupon pays for one order, also when many
 * orders try to spend it at once (a conditional update on its status decides).
 */

export interface IssueCoupon {
  customerId: string;
  /** Given by the caller where issuing must happen once (e.g. late-<tier>-<orderId>). */
  couponId?: string;
  value: CouponMoney;
  reason: CouponReason;
  note?: string;
  validDays: number;
  sourceOrderId?: string;
  actor: Actor;
  /** Ops issuing by hand: audited. */
  audit?: boolean;
}

export interface CouponView {
  couponId: string;
  customerId: string;
  value: CouponMoney;
  reason: CouponReason;
  note?: string;
  status: CouponDoc['status'];
  issuedAt: string;
  expiresAt: string;
  sourceOrderId?: string;
  redeemedFor?: { orderId: string; at: string };
}

export function couponView(c: CouponDoc): CouponView {
  return {
    couponId: c._id,
    customerId: c.customerId,
    value: c.value,
    reason: c.reason,
    ...(c.note ? { note: c.note } : {}),
    status: c.status,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
    ...(c.sourceOrderId ? { sourceOrderId: c.sourceOrderId } : {}),
    ...(c.redeemedFor ? { redeemedFor: c.redeemedFor } : {}),
  };
}

const sameIssue = (c: CouponDoc, req: IssueCoupon, customerId: string) =>
  c.customerId === customerId &&
  c.value.amountMinor === req.value.amountMinor &&
  c.value.currency === req.value.currency &&
  c.reason === req.reason;

/** Issues a coupon; the same coupon id with the same content again returns the first (409 otherwise). */
export async function issueCoupon(
  ctx: CustomersContext,
  req: IssueCoupon,
  /** An event handler's session (its inbox transaction); otherwise a transaction of its own. */
  outer?: Session,
): Promise<{ coupon: CouponView; created: boolean }> {
  const inTransaction = <T>(fn: (s: Session) => Promise<T>) =>
    outer ? fn(outer) : ctx.store.withTransaction(fn);
  const owner = await resolveCustomer(ctx.collections, req.customerId, outer);
  if (!owner || owner.doc.status === 'erased') throw new NotFoundError('customer', req.customerId);
  const customerId = owner.doc._id;
  const couponId = req.couponId ?? `cpn-${newId()}`;
  const replay = async (): Promise<{ coupon: CouponView; created: boolean } | null> => {
    const done = await ctx.collections.coupons.findById(couponId, { session: outer });
    if (!done) return null;
    if (
      !sameIssue(
        done,
        req,
        (await resolveCustomer(ctx.collections, done.customerId, outer))?.doc._id ?? done.customerId,
      )
    )
      throw new ConflictError('coupon-id-reused', `coupon ${couponId} was already issued with other content`);
    return { coupon: couponView(done), created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const now = ctx.clock();
  const doc: CouponDoc = {
    _id: couponId,
    customerId,
    value: req.value,
    reason: req.reason,
    ...(req.note ? { note: req.note } : {}),
    status: 'active',
    issuedAt: now.toISOString(),
    issuedBy: { sub: req.actor.sub, role: req.actor.role },
    expiresAt: new Date(now.getTime() + req.validDays * 86_400_000).toISOString(),
    ...(req.sourceOrderId ? { sourceOrderId: req.sourceOrderId } : {}),
    history: [],
  };
  try {
    await inTransaction(async (session) => {
      await ctx.collections.coupons.insertOne(doc, { session });
      await ctx.events.publish(session, CouponIssued, {
        subject: customerId,
        data: {
          couponId,
          customerId,
          value: doc.value,
          reason: doc.reason,
          expiresAt: doc.expiresAt,
          ...(doc.sourceOrderId ? { orderId: doc.sourceOrderId } : {}),
        },
      });
      if (req.audit) {
        await ctx.audit.record(
          {
            actor: req.actor,
            action: 'customer.coupon.issue',
            target: { type: 'customer', id: customerId },
            details: {
              couponId,
              value: doc.value,
              reason: doc.reason,
              ...(doc.note ? { note: doc.note } : {}),
            },
          },
          session,
        );
      }
    });
  } catch (err) {
    if (isDuplicateKeyError(err) && !outer) {
      const done = await replay();
      if (done) return done;
    }
    throw err;
  }
  return { coupon: couponView(doc), created: true };
}

/** The customer's record and every record merged into it: a wallet follows merges. */
async function walletOwners(
  ctx: CustomersContext,
  customerId: string,
): Promise<{ survivor: string; ids: string[] }> {
  const resolved = await resolveCustomer(ctx.collections, customerId);
  if (!resolved) throw new NotFoundError('customer', customerId);
  const survivor = resolved.doc._id;
  const merged = await ctx.collections.customers.find(
    { mergedInto: survivor },
    { projection: { _id: 1 }, limit: 1000 },
  );
  return { survivor, ids: [survivor, ...merged.map((m) => m._id)] };
}

export async function listCoupons(
  ctx: CustomersContext,
  customerId: string,
  page: { limit: number; cursor?: string; status?: CouponDoc['status'] },
): Promise<Page<CouponView>> {
  const { ids } = await walletOwners(ctx, customerId);
  const res = await withCursor(() =>
    ctx.collections.coupons.page(
      { customerId: { $in: ids }, ...(page.status ? { status: page.status } : {}) },
      { limit: page.limit, cursor: page.cursor ?? null, sortField: 'issuedAt', direction: -1 },
    ),
  );
  return { items: res.items.map(couponView), nextCursor: res.nextCursor };
}

export interface CouponOperation {
  customerId: string;
  couponId: string;
  orderId: string;
  /** The order's currency (a coupon pays in its own currency only). */
  currency: string;
}

/**
 * Spends the coupon on the order. Idempotent: redeeming it again for the same order returns it;
 * another order gets 422 `coupon-not-usable`, as does an expired coupon, one in another currency, or
 * someone else's (404: the coupon does not exist for that customer).
 */
export async function redeemCoupon(ctx: CustomersContext, op: CouponOperation): Promise<CouponView> {
  const { ids } = await walletOwners(ctx, op.customerId);
  const now = ctx.clock().toISOString();
  return ctx.store.withTransaction(async (session) => {
    const c = await ctx.collections.coupons.findById(op.couponId, { session });
    if (!c || !ids.includes(c.customerId)) throw new NotFoundError('coupon', op.couponId);
    const why = unusableReason(c, op.orderId, op.currency, now);
    if (why) throw new UnprocessableError('coupon-not-usable', why);
    if (c.status === 'redeemed') return couponView(c); // this order already spent it
    const redeemedFor = { orderId: op.orderId, at: now };
    // The status in the filter decides between concurrent orders: only one update matches.
    const res = await ctx.collections.coupons.updateOne(
      { _id: c._id, status: 'active' },
      {
        $set: { status: 'redeemed', redeemedFor },
        $push: { history: { action: 'redeemed', orderId: op.orderId, at: now } },
      },
      { session },
    );
    if (res.modifiedCount === 0)
      throw new UnprocessableError('coupon-not-usable', 'the coupon was already used');
    await ctx.events.publish(session, CouponRedeemed, {
      subject: c.customerId,
      data: { couponId: c._id, customerId: c.customerId, value: c.value, orderId: op.orderId },
    });
    return couponView({ ...c, status: 'redeemed', redeemedFor });
  });
}

/**
 * The order that spent the coupon was cancelled (or its placement undone): the coupon is back, or
 * expired when its date passed. Idempotent; a coupon not spent on this order is left alone.
 */
export async function releaseCoupon(
  ctx: CustomersContext,
  op: Omit<CouponOperation, 'currency'>,
): Promise<CouponView | null> {
  const now = ctx.clock().toISOString();
  return ctx.store.withTransaction(async (session) => {
    const c = await ctx.collections.coupons.findById(op.couponId, { session });
    if (!c) return null;
    if (c.status !== 'redeemed' || c.redeemedFor?.orderId !== op.orderId) return couponView(c);
    const status = c.expiresAt <= now ? 'expired' : 'active';
    const res = await ctx.collections.coupons.updateOne(
      { _id: c._id, status: 'redeemed', 'redeemedFor.orderId': op.orderId },
      {
        $set: { status, ...(status === 'expired' ? { expiredAt: now } : {}) },
        $unset: { redeemedFor: '' },
        $push: { history: { action: 'released', orderId: op.orderId, at: now } },
      },
      { session },
    );
    if (res.modifiedCount === 0) return couponView(c);
    await ctx.events.publish(session, CouponReleased, {
      subject: c.customerId,
      data: { couponId: c._id, customerId: c.customerId, value: c.value, orderId: op.orderId, status },
    });
    const released: CouponDoc = { ...c, status };
    delete released.redeemedFor;
    return couponView(released);
  });
}

/** Expires unspent coupons past their date, one at a time (each its own conditional update). */
export async function expireDueCoupons(ctx: CustomersContext, now: Date = ctx.clock()): Promise<number> {
  const at = now.toISOString();
  const due = await ctx.collections.coupons.find(
    { status: 'active', expiresAt: { $lte: at } },
    { limit: 500 },
  );
  let expired = 0;
  for (const c of due) {
    const done = await ctx.store.withTransaction(async (session: Session) => {
      const res = await ctx.collections.coupons.updateOne(
        { _id: c._id, status: 'active' },
        { $set: { status: 'expired', expiredAt: at }, $push: { history: { action: 'expired', at } } },
        { session },
      );
      if (res.modifiedCount === 0) return false;
      await ctx.events.publish(session, CouponExpired, {
        subject: c.customerId,
        data: { couponId: c._id, customerId: c.customerId, value: c.value, expiredAt: at },
      });
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
