import { TransientTransactionError, type Session } from '@omni/store';
import { StorePurchaseRecorded } from '@omni/contracts';
import { identityKey, InvalidIdentityError, normaliseIdentity, type IdentityKind } from '../domain/identity';
import { pointsForOrder } from '../domain/points';
import { resolveCustomer } from '../store/collections';
import { applyPointsChange } from './points-ledger';
import type { CustomersContext } from './context';

type Money = { amountMinor: number; currency: string };

/** What inventory published for a till sale or return naming a member (StoreSaleRecorded). */
export interface TillSale {
  saleId: string;
  storeId: string;
  clientOpId: string;
  kind: 'sale' | 'return';
  member: { card?: string; phone?: string };
  lines: Array<{ sku: string; qty: number; unitPrice?: Money }>;
  total?: Money;
  returnOf?: string;
  occurredAt: string;
}

export type StoreSaleOutcome =
  | { result: 'credited' | 'reversed'; customerId: string; points: number }
  | { result: 'already-recorded' | 'unknown-member' };

/** Ledger and history id of a till purchase (an order reference of channel `store`). */
export const storePurchaseRef = (saleId: string): string => `store:${saleId}`;

/**
 * Finds the member a till named: the card first (it is what the customer handed over), then the phone.
 * A value that is not a valid card or phone, an unknown one, or an erased customer is no member.
 */
async function findMember(ctx: CustomersContext, session: Session, member: TillSale['member']): Promise<string | null> {
  const tries: Array<[IdentityKind, string | undefined]> = [
    ['member_card', member.card],
    ['phone', member.phone],
  ];
  for (const [kind, raw] of tries) {
    if (raw === undefined) continue;
    let value: string;
    try {
      value = normaliseIdentity(kind, raw, ctx.identity);
    } catch (err) {
      if (err instanceof InvalidIdentityError) continue;
      throw err;
    }
    const identity = await ctx.collections.identities.findById(identityKey(kind, value), { session });
    if (!identity) continue;
    const resolved = await resolveCustomer(ctx.collections, identity.customerId, session);
    if (resolved && resolved.doc.status === 'active') return resolved.doc._id;
  }
  return null;
}

/**
 * A till sale or return, inside the event handler's transaction. Once per sale id whatever the
 * redelivery (the store_sales document is the record). A sale credits points on its total and joins
 * the member's purchases (an order reference of channel `store`); a return takes back the points of
 * what came back — at most what the sale it names earned, and never more than the balance. A member
 * the till named but nobody holds is recorded as `unknown-member` (the stock moved all the same).
 * Earning on a card scan or a typed phone is fine; spending points keeps its presence proof.
 */
export async function recordStoreSale(ctx: CustomersContext, session: Session, sale: TillSale): Promise<StoreSaleOutcome> {
  const db = ctx.collections;
  if (await db.storeSales.findById(sale.saleId, { session })) return { result: 'already-recorded' };
  const recordedAt = ctx.clock().toISOString();
  const base = {
    _id: sale.saleId,
    storeId: sale.storeId,
    clientOpId: sale.clientOpId,
    kind: sale.kind,
    lines: sale.lines,
    ...(sale.total ? { total: sale.total } : {}),
    ...(sale.returnOf ? { returnOf: sale.returnOf } : {}),
    occurredAt: sale.occurredAt,
    recordedAt,
  };
  const customerId = await findMember(ctx, session, sale.member);
  if (!customerId) {
    // Kept with what the till typed, so ops can find the member and credit them by hand.
    await db.storeSales.insertOne({ ...base, status: 'unknown-member', points: 0, member: sale.member }, { session });
    ctx.metrics?.storeSales.inc({ kind: sale.kind, status: 'unknown-member' });
    return { result: 'unknown-member' };
  }

  const points =
    sale.kind === 'sale'
      ? await creditSale(ctx, session, sale, customerId, recordedAt)
      : -(await reverseReturn(ctx, session, sale, customerId, recordedAt));
  await db.storeSales.insertOne({ ...base, status: 'matched', customerId, points }, { session });
  ctx.metrics?.storeSales.inc({ kind: sale.kind, status: 'matched' });
  await ctx.events.publish(session, StorePurchaseRecorded, {
    subject: customerId,
    data: {
      customerId,
      saleId: sale.saleId,
      storeId: sale.storeId,
      kind: sale.kind,
      lines: sale.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      ...(sale.total ? { total: sale.total } : {}),
      points,
      occurredAt: sale.occurredAt,
    },
  });
  return sale.kind === 'sale'
    ? { result: 'credited', customerId, points }
    : { result: 'reversed', customerId, points: -points };
}

async function creditSale(
  ctx: CustomersContext,
  session: Session,
  sale: TillSale,
  customerId: string,
  at: string,
): Promise<number> {
  const ref = storePurchaseRef(sale.saleId);
  const points = sale.total ? pointsForOrder(sale.total, ctx.policy.pointsPerMajorUnit) : 0;
  // The purchase joins the member's orders (history, export, merges move it with the customer).
  await ctx.collections.orders.insertOne(
    {
      _id: ref,
      customerId,
      channel: 'store',
      ...(sale.total ? { total: sale.total } : {}),
      completedAt: sale.occurredAt,
      pointsEarned: points,
      pointsRedeemed: 0,
      pointsRefunded: 0,
      refundable: 0,
      createdAt: at,
      updatedAt: at,
    },
    { session },
  );
  if (points > 0) {
    await applyPointsChange(ctx, session, {
      entryId: `accrual:${ref}`,
      customerId,
      kind: 'accrual',
      reason: 'accrual',
      delta: points,
      lifetimeDelta: points,
      at,
      earnedAt: sale.occurredAt,
      orderId: ref,
      note: `store sale at ${sale.storeId}`,
    });
  }
  return points;
}

/** Points a till return takes back (≥ 0). */
async function reverseReturn(
  ctx: CustomersContext,
  session: Session,
  sale: TillSale,
  customerId: string,
  at: string,
): Promise<number> {
  let due = sale.total ? pointsForOrder(sale.total, ctx.policy.pointsPerMajorUnit) : 0;
  let orderRef: { id: string; earned: number } | undefined;
  if (sale.returnOf) {
    // Bounded by what that sale earned and has not given back yet (several partial returns add up).
    const ref = storePurchaseRef(`${sale.storeId}:${sale.returnOf}`);
    const original = await ctx.collections.orders.findById(ref, { session });
    if (original) {
      due = Math.min(due, original.pointsEarned - (original.pointsReversed ?? 0));
      orderRef = { id: ref, earned: original.pointsEarned };
    }
  }
  return takeBackPoints(ctx, session, {
    customerId,
    due,
    orderRef,
    entryId: `reversal:${storePurchaseRef(sale.saleId)}`,
    note: `store return at ${sale.storeId}`,
    at,
  });
}

/**
 * Debits up to `due` points (never below a zero balance: points already spent stay spent) and, when
 * the purchase is known, counts them on its order reference. Returns the points taken.
 */
export async function takeBackPoints(
  ctx: CustomersContext,
  session: Session,
  input: {
    customerId: string;
    due: number;
    /** The purchase and the points it earned: reversals never add up to more. */
    orderRef?: { id: string; earned: number };
    entryId: string;
    note: string;
    at: string;
  },
): Promise<number> {
  if (input.due <= 0) return 0;
  const holder = await ctx.collections.customers.findById(input.customerId, { session });
  const take = Math.min(input.due, holder?.points ?? 0);
  if (input.orderRef) {
    // Guarded: two returns of one order handled at once cannot together reverse more than it earned.
    const room = input.orderRef.earned - input.due;
    const counted = await ctx.collections.orders.updateOne(
      { _id: input.orderRef.id, $or: [{ pointsReversed: { $exists: false } }, { pointsReversed: { $lte: room } }] },
      { $inc: { pointsReversed: input.due }, $set: { updatedAt: input.at } },
      { session },
    );
    if (counted.matchedCount === 0) throw new TransientTransactionError(`points reversed on ${input.orderRef.id} moved concurrently`);
  }
  if (take <= 0) return 0;
  const after = await applyPointsChange(ctx, session, {
    entryId: input.entryId,
    customerId: input.customerId,
    kind: 'reversal',
    reason: 'reversal',
    delta: -take,
    at: input.at,
    ...(input.orderRef ? { orderId: input.orderRef.id } : {}),
    note: input.note,
  });
  if (!after) throw new TransientTransactionError(`points of ${input.customerId} moved concurrently`);
  return take;
}
