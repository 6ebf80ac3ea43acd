import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError, type Principal } from '@omni/kit';
import { VoucherExpired, VoucherRefundRequested } from '@omni/contracts';
import type { Session } from '@omni/store';
import type { Offer } from '../domain/offer';
import { refundableAmount, remaining, type Voucher } from '../domain/voucher';
import type { VouchersContext } from './context';

type Reason = 'customer' | 'expired' | 'ops';

/** Marks the voucher refunded and asks orders to pay the unused part back (in the caller's transaction). */
async function requestRefund(
  ctx: VouchersContext,
  s: Session,
  v: Voucher,
  reason: Reason,
  status: 'refunded' | 'expired',
): Promise<Voucher | null> {
  const amount = { amountMinor: refundableAmount(v), currency: v.pricePaid.currency };
  const now = ctx.clock().toISOString();
  const refundId = `${v._id}:refund`;
  const next = await ctx.collections.vouchers.findOneAndUpdate(
    { _id: v._id, version: v.version, status: 'active' },
    {
      $set: {
        status,
        closedAt: now,
        version: v.version + 1,
        ...(amount.amountMinor > 0 ? { refund: { refundId, amount, reason, at: now } } : {}),
      },
    },
    { session: s },
  );
  if (!next) return null;
  if (amount.amountMinor > 0)
    await ctx.events.publish(s, VoucherRefundRequested, {
      subject: v.orderId,
      data: {
        voucherId: v._id,
        offerId: v.offerId,
        orderId: v.orderId,
        sku: v.sku,
        refundId,
        ...(v.customerId ? { customerId: v.customerId } : {}),
        amount,
        reason,
      },
    });
  return next;
}

/**
 * The unused part of a voucher back to the customer: all of an unused one, the rest of a partly used
 * value voucher (what the customer paid less what stores were already owed). The customer asks for
 * their own while the offer allows it; ops may for any.
 */
export async function refundVoucher(ctx: VouchersContext, p: Principal, voucherId: string): Promise<Voucher> {
  return ctx.store.withTransaction(async (s) => {
    const v = await ctx.collections.vouchers.findById(voucherId, { session: s });
    const own = p.role === 'customer' && v?.customerId === p.customerId;
    if (!v || (p.role === 'customer' && !own)) throw new NotFoundError('voucher', voucherId);
    const offer = (await ctx.collections.offers.findById(v.offerId, { session: s })) as Offer;
    if (p.role === 'customer' && !offer.refundOnRequest)
      throw new ForbiddenError('this offer is not refundable on request', 'voucher-not-refundable');
    if (v.status !== 'active')
      throw new ConflictError('voucher-not-active', `voucher ${voucherId} is ${v.status}`, {
        status: v.status,
      });
    if (refundableAmount(v) <= 0 || remaining(v) <= 0)
      throw new UnprocessableError('nothing-to-refund', `voucher ${voucherId} has no unused value`);
    const next = await requestRefund(ctx, s, v, p.role === 'customer' ? 'customer' : 'ops', 'refunded');
    if (!next) throw new ConflictError('voucher-changed', `voucher ${voucherId} changed; try again`);
    return next;
  });
}

/**
 * Vouchers past their validity with value left → expired (VoucherExpired), refunded on the way when
 * the offer says so. Claims one voucher at a time by a conditional update, so two sweeps (replicas,
 * overlapping runs) never expire or refund one twice.
 */
export async function expireVouchers(ctx: VouchersContext, now: Date, batch = 200): Promise<number> {
  const due = await ctx.collections.vouchers.find(
    { status: 'active', validUntil: { $lte: now.toISOString() } },
    { limit: batch, sort: { validUntil: 1 } },
  );
  let n = 0;
  for (const candidate of due) {
    const done = await ctx.store.withTransaction(async (s) => {
      const v = await ctx.collections.vouchers.findById(candidate._id, { session: s });
      if (!v || v.status !== 'active') return false;
      const offer = await ctx.collections.offers.findById(v.offerId, { session: s });
      const unused = { amountMinor: remaining(v), currency: v.face.currency };
      const refund = offer?.refundOnExpiry === true && refundableAmount(v) > 0;
      const next = refund
        ? await requestRefund(ctx, s, v, 'expired', 'expired')
        : await ctx.collections.vouchers.findOneAndUpdate(
            { _id: v._id, version: v.version, status: 'active' },
            { $set: { status: 'expired', closedAt: now.toISOString(), version: v.version + 1 } },
            { session: s },
          );
      if (!next) return false;
      await ctx.events.publish(s, VoucherExpired, {
        subject: v.orderId,
        data: { voucherId: v._id, offerId: v.offerId, orderId: v.orderId, sku: v.sku, unused },
      });
      ctx.metrics.expired.inc({ refunded: String(refund) });
      return true;
    });
    if (done) n++;
  }
  return n;
}
