import { VoucherRedeemed } from '@omni/contracts';
import { newId, type Session } from '@omni/store';
import { normaliseCode } from '../domain/codes';
import { dayOf, offerRefusal, type Offer } from '../domain/offer';
import { remaining, settlementFor, type Voucher } from '../domain/voucher';
import { OutOfStockError } from '../inventory/port';
import type { Redemption } from '../store/collections';
import type { VouchersContext } from './context';
import { takeAttempt } from './throttle';

/** What the counter shows: the typed code, or the scanned QR payload. */
export type Proof = { code: string } | { qr: string };

export interface RedeemRequest {
  storeId: string;
  /** Account subject of the clerk (the counter is store + clerk). */
  clerk: string;
  proof: Proof;
  /** Value vouchers: face value to take (minor units); default all that is left. */
  amountMinor?: number;
  /** When it happened (offline: when the counter recorded it). */
  at: Date;
  offline: boolean;
  clientOpId?: string;
}

export type Refusal =
  | 'already-used'
  | 'refunded'
  | 'void'
  | 'expired'
  | 'not-yet-valid'
  | 'excluded-day'
  | 'store-not-allowed'
  | 'insufficient-value'
  | 'amount-not-allowed'
  | 'store-day-limit'
  | 'voucher-day-limit'
  | 'out-of-stock';

export type LookupFailure = 'unknown-code' | 'malformed-qr' | 'bad-qr-signature' | 'qr-expired';

export type RedeemOutcome =
  | { kind: 'redeemed'; voucher: Voucher; redemption: Redemption }
  | { kind: 'not-found'; reason: LookupFailure }
  | { kind: 'refused'; reason: Refusal; voucher: Voucher; offer: Offer };

/** Extra writes in the redemption's transaction (the offline sync's op record and conflicts). */
export interface RedeemHooks {
  after?: (s: Session, outcome: RedeemOutcome) => Promise<void>;
}

/**
 * Redeems a voucher at a store counter. The claim is one transaction: the voucher's conditional update
 * (by version: two counters racing for one code → exactly one wins; the other re-reads it used),
 * the per-store daily limit as a conditional increment of the day's counter (taken last, so a refusal
 * writes nothing), the ledger line and its event. A goods voucher holds the goods at the store before
 * the claim and commits them as the store's sale after it (released when the claim is refused).
 */
export async function redeem(
  ctx: VouchersContext,
  req: RedeemRequest,
  hooks: RedeemHooks = {},
): Promise<RedeemOutcome> {
  const slot = await takeAttempt(ctx, req.storeId, req.clerk);
  const found = await findVoucher(ctx, req);
  if ('reason' in found) {
    ctx.metrics.codeFailures.inc({ reason: found.reason });
    const outcome: RedeemOutcome = { kind: 'not-found', reason: found.reason };
    if (hooks.after) await ctx.store.withTransaction(async (s) => hooks.after?.(s, outcome));
    return outcome;
  }
  await slot.succeeded();
  const voucherId = found.voucherId;
  const redemptionId = newId();
  const offerNow = await ctx.collections.offers.findById(found.offerId);
  const goods =
    offerNow?.kind === 'goods' && offerNow.goods?.length && ctx.stock ? offerNow.goods : undefined;
  const reservationId = `voucher-${redemptionId}`;
  if (goods) {
    // Offline redemptions already handed the goods over: their stock moves at sync, whatever the
    // shelf count says (a failure is kept for ops below).
    try {
      await ctx.stock!.hold(reservationId, req.storeId, goods, voucherId);
    } catch (err) {
      if (!(err instanceof OutOfStockError)) throw err;
      if (!req.offline) {
        const v = (await ctx.collections.vouchers.findById(voucherId))!;
        return { kind: 'refused', reason: 'out-of-stock', voucher: v, offer: offerNow! };
      }
    }
  }
  if (offerNow?.limits.perStorePerDay !== undefined) {
    // The day's counter exists before the claim, so the claim's increment never races an insert.
    await ctx.collections.dayCounters.updateOne(
      { _id: `${offerNow._id}:${req.storeId}:${dayOf(req.at)}` },
      { $setOnInsert: { count: 0 } },
      { upsert: true },
    );
  }
  const outcome = await ctx.store.withTransaction(async (s) => {
    const result = await claim(ctx, s, req, voucherId, redemptionId, goods ? reservationId : undefined);
    await hooks.after?.(s, result);
    return result;
  });
  ctx.metrics.redemptions.inc({
    outcome: outcome.kind === 'refused' ? outcome.reason : outcome.kind,
    offline: String(req.offline),
  });
  if (goods) await settleStock(ctx, outcome, reservationId, redemptionId);
  return outcome;
}

async function findVoucher(
  ctx: VouchersContext,
  req: RedeemRequest,
): Promise<{ voucherId: string; offerId: string } | { reason: LookupFailure }> {
  if ('qr' in req.proof) {
    // Online the QR must be current; offline it had to be when the counter scanned it.
    const check = ctx.codes.verifyQr(req.proof.qr, req.offline ? req.at : ctx.clock());
    if (!check.ok)
      return {
        reason:
          check.reason === 'malformed'
            ? 'malformed-qr'
            : check.reason === 'expired'
              ? 'qr-expired'
              : 'bad-qr-signature',
      };
    const v = await ctx.collections.vouchers.findById(check.claims.voucherId);
    if (!v || v.codeHash !== ctx.codes.hash(check.claims.code)) return { reason: 'unknown-code' };
    return { voucherId: v._id, offerId: v.offerId };
  }
  const code = normaliseCode(req.proof.code);
  if (!code) return { reason: 'unknown-code' };
  const v = await ctx.collections.vouchers.findOne({ codeHash: ctx.codes.hash(code) });
  return v ? { voucherId: v._id, offerId: v.offerId } : { reason: 'unknown-code' };
}

async function claim(
  ctx: VouchersContext,
  s: Session,
  req: RedeemRequest,
  voucherId: string,
  redemptionId: string,
  reservationId: string | undefined,
): Promise<RedeemOutcome> {
  const c = ctx.collections;
  const v = (await c.vouchers.findById(voucherId, { session: s }))!;
  const offer = (await c.offers.findById(v.offerId, { session: s }))!;
  const refuse = (reason: Refusal): RedeemOutcome => ({ kind: 'refused', reason, voucher: v, offer });
  if (v.status === 'used') return refuse('already-used');
  if (v.status === 'refunded') return refuse('refunded');
  if (v.status === 'void') return refuse('void');
  if (v.status === 'expired') return refuse('expired');
  const rule = offerRefusal(offer, v, req.storeId, req.at);
  if (rule) return refuse(rule);
  const left = remaining(v);
  let amount = left;
  if (req.amountMinor !== undefined) {
    if (v.kind !== 'value') return refuse('amount-not-allowed');
    if (req.amountMinor > left) return refuse('insufficient-value');
    amount = req.amountMinor;
  }
  const day = dayOf(req.at);
  if (offer.limits.perVoucherPerDay !== undefined) {
    const today = await c.redemptions.countDocuments({ voucherId, day }, { session: s });
    if (today >= offer.limits.perVoucherPerDay) return refuse('voucher-day-limit');
  }
  if (offer.limits.perStorePerDay !== undefined) {
    const taken = await c.dayCounters.findOneAndUpdate(
      { _id: `${offer._id}:${req.storeId}:${day}`, count: { $lt: offer.limits.perStorePerDay } },
      { $inc: { count: 1 } },
      { session: s },
    );
    if (!taken) return refuse('store-day-limit');
  }
  const settlement = settlementFor(v, amount);
  const used = v.used + amount;
  const now = ctx.clock().toISOString();
  const next = await c.vouchers.findOneAndUpdate(
    { _id: voucherId, version: v.version, status: 'active' },
    {
      $set: {
        used,
        settled: v.settled + settlement,
        redemptions: v.redemptions + 1,
        version: v.version + 1,
        ...(used >= v.face.amountMinor ? { status: 'used', closedAt: now } : {}),
      },
    },
    { session: s },
  );
  if (!next) throw new Error(`voucher ${voucherId} changed inside its transaction`);
  const redemption: Redemption = {
    _id: redemptionId,
    voucherId,
    offerId: offer._id,
    orderId: v.orderId,
    storeId: req.storeId,
    clerk: req.clerk,
    amount: { amountMinor: amount, currency: v.face.currency },
    settlement: { amountMinor: settlement, currency: v.pricePaid.currency },
    day,
    redeemedAt: req.at.toISOString(),
    recordedAt: now,
    offline: req.offline,
    ...(req.clientOpId ? { clientOpId: req.clientOpId } : {}),
    ...(reservationId ? { movement: { reservationId, status: 'pending' as const } } : {}),
  };
  await c.redemptions.insertOne(redemption, { session: s });
  await ctx.events.publish(s, VoucherRedeemed, {
    subject: v.orderId,
    data: {
      voucherId,
      offerId: offer._id,
      orderId: v.orderId,
      sku: v.sku,
      redemptionId,
      storeId: req.storeId,
      clerk: req.clerk,
      amount: redemption.amount,
      settlement: redemption.settlement,
      ...(v.kind === 'value'
        ? { remaining: { amountMinor: v.face.amountMinor - used, currency: v.face.currency } }
        : {}),
      offline: req.offline,
      redeemedAt: redemption.redeemedAt,
      ...(reservationId ? { movementId: reservationId } : {}),
    },
  });
  return { kind: 'redeemed', voucher: next, redemption };
}

/** After the claim: the held goods become the store's sale, or go back on the shelf. */
async function settleStock(
  ctx: VouchersContext,
  outcome: RedeemOutcome,
  reservationId: string,
  redemptionId: string,
): Promise<void> {
  const stock = ctx.stock!;
  if (outcome.kind !== 'redeemed' || outcome.redemption._id !== redemptionId) {
    await stock
      .release(reservationId, 'voucher redemption refused')
      .catch((err: unknown) =>
        ctx.log.warn({ err, reservationId }, 'could not release a voucher hold (it expires by itself)'),
      );
    return;
  }
  let status: 'committed' | 'failed' = 'committed';
  let detail: string | undefined;
  try {
    await stock.commit(reservationId);
  } catch (err) {
    status = 'failed';
    detail = (err as Error).message;
    ctx.log.error({ err, reservationId, redemptionId }, 'voucher goods not committed: kept for ops');
  }
  await ctx.collections.redemptions.updateOne(
    { _id: redemptionId },
    { $set: { movement: { reservationId, status, ...(detail ? { detail } : {}) } } },
  );
  if (status === 'failed') {
    ctx.metrics.conflicts.inc({ kind: 'stock-movement-failed' });
    await ctx.collections.conflicts.insertOne({
      _id: newId(),
      kind: 'stock-movement-failed',
      storeId: outcome.redemption.storeId,
      voucherId: outcome.voucher._id,
      orderId: outcome.voucher.orderId,
      detail: `the goods of redemption ${redemptionId} did not move in inventory: ${detail}`,
      acceptedRedemptions: [redemptionId],
      detectedAt: ctx.clock().toISOString(),
      status: 'open',
    });
  }
}
