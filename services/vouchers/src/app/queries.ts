import { NotFoundError, type Principal } from '@omni/kit';
import type { Page } from '@omni/store';
import type { Offer } from '../domain/offer';
import type { Voucher } from '../domain/voucher';
import type { Redemption, VoucherConflict } from '../store/collections';
import type { VouchersContext } from './context';

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export const listOffers = (ctx: VouchersContext, q: PageQuery): Promise<Page<Offer>> =>
  ctx.collections.offers.page({}, { limit: q.limit, cursor: q.cursor ?? null });

export async function getOffer(ctx: VouchersContext, offerId: string): Promise<Offer> {
  const o = await ctx.collections.offers.findById(offerId);
  if (!o) throw new NotFoundError('voucher offer', offerId);
  return o;
}

/** A customer's own vouchers, newest first. */
export function myVouchers(ctx: VouchersContext, p: Principal, q: PageQuery & { status?: string }) {
  if (!p.customerId) throw new NotFoundError('customer', p.sub);
  return ctx.collections.vouchers.page(
    { customerId: p.customerId, ...(q.status ? { status: q.status } : {}) },
    { limit: q.limit, cursor: q.cursor ?? null, sortField: 'issuedAt', direction: -1 },
  );
}

/** The vouchers of one of the customer's orders (404 for anyone else's order). */
export async function orderVouchers(ctx: VouchersContext, p: Principal, orderId: string): Promise<Voucher[]> {
  const found = await ctx.collections.vouchers.find({ orderId }, { sort: { _id: 1 }, limit: 1000 });
  if (found.length === 0 || !p.customerId || found.some((v) => v.customerId !== p.customerId))
    throw new NotFoundError('order vouchers', orderId);
  return found;
}

export function storeRedemptions(
  ctx: VouchersContext,
  storeId: string,
  q: PageQuery,
): Promise<Page<Redemption>> {
  return ctx.collections.redemptions.page(
    { storeId },
    { limit: q.limit, cursor: q.cursor ?? null, sortField: 'redeemedAt', direction: -1 },
  );
}

/** Ops trace: the voucher (no code) and every redemption, with order, store, clerk and stock movement. */
export async function voucherTrace(
  ctx: VouchersContext,
  voucherId: string,
): Promise<{ voucher: Voucher; redemptions: Redemption[]; conflicts: VoucherConflict[] }> {
  const voucher = await ctx.collections.vouchers.findById(voucherId);
  if (!voucher) throw new NotFoundError('voucher', voucherId);
  const redemptions = await ctx.collections.redemptions.find(
    { voucherId },
    { sort: { redeemedAt: 1 }, limit: 1000 },
  );
  const conflicts = await ctx.collections.conflicts.find(
    { voucherId },
    { sort: { detectedAt: 1 }, limit: 100 },
  );
  return { voucher, redemptions, conflicts };
}

export function listConflicts(ctx: VouchersContext, q: PageQuery & { status?: 'open' | 'resolved' }) {
  return ctx.collections.conflicts.page(q.status ? { status: q.status } : {}, {
    limit: q.limit,
    cursor: q.cursor ?? null,
    sortField: 'detectedAt',
  });
}

export interface SettlementLine {
  offerId: string;
  currency: string;
  redemptions: number;
  faceRedeemedMinor: number;
  owedMinor: number;
}

/**
 * What a store redeemed in [from, to) and what it is owed for it (the share of what the customers
 * paid), per offer and currency. Offline redemptions count on the day they happened.
 */
export async function settlement(ctx: VouchersContext, storeId: string, from: string, to: string) {
  const lines = new Map<string, SettlementLine>();
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Page<Redemption> = await ctx.collections.redemptions.page(
      { storeId, redeemedAt: { $gte: from, $lt: to } },
      { limit: 1000, cursor, sortField: 'redeemedAt' },
    );
    for (const r of page.items) {
      const key = `${r.offerId}|${r.settlement.currency}`;
      const line = lines.get(key) ?? {
        offerId: r.offerId,
        currency: r.settlement.currency,
        redemptions: 0,
        faceRedeemedMinor: 0,
        owedMinor: 0,
      };
      line.redemptions++;
      line.faceRedeemedMinor += r.amount.amountMinor;
      line.owedMinor += r.settlement.amountMinor;
      lines.set(key, line);
      count++;
    }
    cursor = page.nextCursor;
  } while (cursor);
  const totals = new Map<string, number>();
  for (const l of lines.values()) totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.owedMinor);
  return {
    storeId,
    from,
    to,
    redemptions: count,
    lines: [...lines.values()].sort((a, b) => a.offerId.localeCompare(b.offerId)),
    owed: [...totals].map(([currency, amountMinor]) => ({ amountMinor, currency })),
  };
}
