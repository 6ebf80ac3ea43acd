import type { EventData } from '@omni/events';
import { VoucherIssued, type OrderConfirmed } from '@omni/contracts';
import type { Session } from '@omni/store';
import type { Offer } from '../domain/offer';
import type { Voucher } from '../domain/voucher';
import type { VouchersContext } from './context';

const DAY_MS = 86_400_000;

/**
 * A confirmed order's voucher lines → one voucher (code + QR) per unit. Runs in the consumer's inbox
 * transaction; voucher ids derive from the order, line and unit, so a redelivered or repeated
 * confirmation (re-route) issues nothing new. A confirmation arriving after the order's cancellation
 * issues nothing.
 */
export async function issueVouchers(
  ctx: VouchersContext,
  session: Session,
  order: EventData<typeof OrderConfirmed>,
): Promise<number> {
  const c = ctx.collections;
  if (await c.cancelledOrders.findById(order.orderId, { session })) return 0;
  const offers = await c.offers.find({ sku: { $in: order.lines.map((l) => l.sku) } }, { session });
  if (offers.length === 0) return 0;
  const bySku = new Map(offers.map((o) => [o.sku, o]));
  const now = ctx.clock();
  let issued = 0;
  for (const line of order.lines) {
    const offer = bySku.get(line.sku);
    if (!offer) continue;
    for (let unit = 0; unit < line.qty; unit++) {
      const id = `${order.orderId}:${line.sku}:${unit}`;
      if (await c.vouchers.findById(id, { session })) continue;
      const voucher = newVoucher(ctx, offer, id, order, line.unitPrice, now);
      await c.vouchers.insertOne(voucher, { session });
      await ctx.events.publish(session, VoucherIssued, {
        subject: order.orderId,
        data: {
          voucherId: id,
          offerId: offer._id,
          orderId: order.orderId,
          sku: line.sku,
          ...(order.customerId ? { customerId: order.customerId } : {}),
          pricePaid: voucher.pricePaid,
          ...(offer.kind === 'value' ? { faceValue: voucher.face } : {}),
          validUntil: voucher.validUntil,
        },
      });
      ctx.metrics.issued.inc({ kind: offer.kind });
      issued++;
    }
  }
  return issued;
}

function newVoucher(
  ctx: VouchersContext,
  offer: Offer,
  id: string,
  order: EventData<typeof OrderConfirmed>,
  unitPrice: { amountMinor: number; currency: string },
  now: Date,
): Voucher {
  const code = ctx.codes.issue(id);
  const nowIso = now.toISOString();
  const byDays = offer.validDaysAfterPurchase
    ? new Date(now.getTime() + offer.validDaysAfterPurchase * DAY_MS).toISOString()
    : offer.validUntil;
  return {
    _id: id,
    offerId: offer._id,
    orderId: order.orderId,
    ...(order.customerId ? { customerId: order.customerId } : {}),
    sku: offer.sku,
    kind: offer.kind,
    pricePaid: { ...unitPrice },
    face: offer.kind === 'value' && offer.faceValue ? { ...offer.faceValue } : { ...unitPrice },
    used: 0,
    settled: 0,
    redemptions: 0,
    status: 'active',
    validFrom: offer.validFrom > nowIso ? offer.validFrom : nowIso,
    validUntil: byDays < offer.validUntil ? byDays : offer.validUntil,
    codeNonce: code.nonce,
    codeHash: code.hash,
    issuedAt: nowIso,
    version: 0,
  };
}
