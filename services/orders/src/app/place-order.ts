import {
  AppError,
  BadRequestError,
  ForbiddenError,
  UnprocessableError,
  UnavailableError,
  type FieldError,
  type Principal,
} from '@omni/kit';
import { isDuplicateKeyError } from '@omni/store';
import { channelToProto, statusOf } from '../clients/upstreams';
import { orderIdFor, requestHash, reservationIdFor } from '../domain/ids';
import { add, money, subtract, sumLines, zero } from '../domain/money';
import { pointsDiscount } from '../domain/policy';
import type {
  Address,
  Channel,
  FulfilmentMethod,
  GeoPoint,
  Line,
  Money,
  OrderDoc,
  PaymentMethod,
  PointsState,
  PricedLine,
} from '../domain/types';
import type { OrdersContext } from './context';
import { settle } from './request-work';
import { decisionOf } from '../domain/order-changes';
import { refusedWithAlternatives, routeAndPromise, type RequestedPromise } from './quote';
import { slotIdOf } from '../store/slot-book';
import { isLimitPeriod, type LimitedLine } from '../domain/purchase-limits';
import type { RouteChoice } from '../domain/routing';

export interface PlaceOrderInput {
  channel?: Channel;
  customerId?: string;
  lines: Line[];
  fulfilment: {
    method: FulfilmentMethod;
    storeId?: string;
    allowAlternativeStore?: boolean;
    address?: Address;
    geo?: GeoPoint;
    /** Delivery: ASAP (default) or a slot the quote offered. */
    promise?: RequestedPromise;
  };
  payment: { method: PaymentMethod; cardToken?: string };
  pointsToRedeem?: number;
  couponId?: string;
  memberProof?: { memberCard: string } | { codeId: string; code: string };
}

/** A replacement order of an exchange: the returned units' value is credited against what it costs. */
export interface ExchangeCredit {
  credit: Money;
  of: { orderId: string; returnId: string };
}

export interface PlaceOrderResult {
  order: OrderDoc;
  /** The order existed already for this Idempotency-Key. */
  replayed: boolean;
}

/**
 * Places an order: checks the request, resolves the customer, prices the lines at catalog (never the
 * client's prices), routes it, stores it with the `place` saga queued, and runs the saga (reserve →
 * redeem points → authorise payment → confirm) for up to `placeWaitMs`. Nothing is written until the
 * order is known to be routable; everything after is the saga's job, resumable after a crash.
 */
export async function placeOrder(
  ctx: OrdersContext,
  principal: Principal,
  idempotencyKey: string,
  input: PlaceOrderInput,
  exchange?: ExchangeCredit,
): Promise<PlaceOrderResult> {
  const { env } = ctx;
  const orderId = orderIdFor(principal.sub, idempotencyKey);
  const hash = requestHash(input);

  const existing = await ctx.repo.get(orderId);
  if (existing) return { order: await replay(ctx, existing, hash), replayed: true };

  const lines = mergeLines(input.lines);
  checkShape(ctx, principal, input, lines);
  const channel: Channel = input.channel ?? 'online';
  const customer = await resolveCustomer(ctx, principal, input);
  const { priced, limited, voucherSkus } = await priceLines(
    ctx,
    lines,
    channel,
    input.fulfilment.method === 'pickup' ? input.fulfilment.storeId : undefined,
  );
  const currency = priced[0]!.unitPrice.currency;

  const f = input.fulfilment;
  checkVoucherLines(ctx, f.method, lines, voucherSkus);
  const geo = f.method === 'delivery' ? (f.address?.geo ?? f.geo) : (f.geo ?? f.address?.geo);
  // The quote model decides (app/quote.ts): route, promise, delivery slot — or 422 with alternatives.
  const quoteInput = { lines, channel, ...(geo ? { geo } : {}) };
  // A voucher order is not routed: nothing is reserved, the vouchers service issues its codes.
  const { route, promise, slot } =
    f.method === 'voucher'
      ? { route: VOUCHER_ROUTE, promise: undefined, slot: undefined }
      : await withUpstream('inventory', () =>
          routeAndPromise(
            ctx,
            {
              ...quoteInput,
              method: f.method,
              storeId: f.storeId,
              allowAlternative: f.allowAlternativeStore ?? false,
              ...(f.promise ? { requested: f.promise } : {}),
            },
            currency,
          ),
        );

  const subtotal = sumLines(priced, currency);
  const deliveryFee = f.method === 'delivery' ? money(env.policy.deliveryFeeMinor, currency) : zero(currency);
  const total = add(subtotal, deliveryFee);
  let points: PointsState | undefined;
  if (input.pointsToRedeem && input.pointsToRedeem > 0) {
    // Never spend more points than the order is worth.
    const usable = Math.min(input.pointsToRedeem, Math.floor(total.amountMinor / env.policy.pointValueMinor));
    // Before the balance is compared: without a proof a clerk learns nothing about the member's points.
    if (principal.role !== 'customer' && !input.memberProof) throw presenceRequired(ctx);
    if (customer && customer.points < usable) {
      throw new UnprocessableError(
        'insufficient-points',
        `customer has ${customer.points} points, ${usable} requested`,
      );
    }
    points = {
      requested: usable,
      discount: pointsDiscount(usable, env.policy.pointValueMinor, total),
      redeemed: false,
      refunded: false,
    };
  }
  const beforeCredit = points ? subtract(total, points.discount) : total;
  // An exchange's replacement costs only the difference (never below zero: a cheaper replacement's
  // difference is refunded with the return).
  const amountDue = exchange
    ? money(Math.max(0, beforeCredit.amountMinor - exchange.credit.amountMinor), currency)
    : beforeCredit;
  // Last check before anything is written: a one-time code it consumes is not wasted on an order
  // refused for stock or prices.
  if (points && customer && principal.role !== 'customer')
    points.presence = await proveMemberPresence(
      ctx,
      principal,
      input,
      customer.id,
      orderId,
      route.locationId,
    );

  const now = env.clock().toISOString();
  const decision = decisionOf(route, 0, now);
  const order: OrderDoc = {
    _id: orderId,
    version: 0,
    idempotencyKey,
    requestHash: hash,
    placedBy: { sub: principal.sub, role: principal.role },
    ...(customer
      ? { customerId: customer.id, ...(customer.name ? { customerName: customer.name } : {}) }
      : {}),
    channel,
    lines: priced,
    currency,
    subtotal,
    deliveryFee,
    total,
    amountDue,
    fulfilment: {
      method: f.method,
      locationId: route.locationId,
      ...(f.method === 'pickup'
        ? { requestedStoreId: f.storeId, allowAlternativeStore: f.allowAlternativeStore ?? false }
        : {}),
      ...(f.address ? { address: f.address } : {}),
      ...(geo ? { geo } : {}),
    },
    route: decision,
    routeHistory: [decision],
    triedLocationIds: [],
    routeAttempt: 0,
    reservation: {
      reservationId: reservationIdFor(orderId, 0),
      locationId: route.locationId,
      status: 'none',
    },
    pendingRoute: null,
    payment: {
      method: input.payment.method,
      ...(input.payment.cardToken ? { cardToken: input.payment.cardToken } : {}),
      status: 'pending',
    },
    ...(points ? { points } : {}),
    promise,
    ...(slot ? { slot: { id: slotIdOf(slot), released: false } } : {}),
    // Limits are per customer: a guest order has no one to count for.
    ...(customer && limited.length > 0
      ? { purchaseLimits: { customerId: customer.id, lines: limited, claimed: false } }
      : {}),
    // A wallet coupon: redeemed by the place saga (its value is known then), released on cancel.
    ...(input.couponId ? { coupon: { couponId: input.couponId, redeemed: false, released: false } } : {}),
    ...(exchange ? { exchangeOf: { ...exchange.of, credit: exchange.credit } } : {}),
    status: 'pending',
    statusHistory: [],
    returnedQty: {},
    returns: [],
    attention: [],
    saga: null,
    queue: [{ workflow: 'place', key: 'place', params: {}, requestedAt: now }],
    lease: null,
    active: true,
    createdAt: now,
    updatedAt: now,
  };
  try {
    // The slot is booked with the order, in its transaction: a full slot writes nothing.
    await ctx.repo.insert(order, [], async (session) => {
      if (slot && (await env.slots.book(session, slot, orderId)) === 'full') throw new SlotFull();
    });
  } catch (err) {
    if (err instanceof SlotFull)
      throw await refusedWithAlternatives(
        ctx,
        'slot-full',
        `the delivery slot from ${slot!.from} is full`,
        quoteInput,
        currency,
      );
    if (!isDuplicateKeyError(err)) throw err;
    // A concurrent retry with the same key won the insert.
    const winner = await ctx.repo.get(orderId);
    if (!winner) throw err;
    return { order: await replay(ctx, winner, hash), replayed: true };
  }
  const settled = (await settle(ctx, orderId, env.timings.placeWaitMs)) ?? order;
  ctx.metrics.placed.inc({ method: f.method, outcome: settled.status });
  return { order: settled, replayed: false };
}

class SlotFull extends Error {}

async function replay(ctx: OrdersContext, existing: OrderDoc, hash: string): Promise<OrderDoc> {
  if (existing.requestHash !== hash) {
    throw new UnprocessableError(
      'idempotency-key-reused',
      'This Idempotency-Key was used for a different order',
      { orderId: existing._id },
    );
  }
  return (await settle(ctx, existing._id, ctx.env.timings.placeWaitMs)) ?? existing;
}

/** The same SKU twice becomes one line. */
export function mergeLines(lines: Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.qty);
  return [...bySku].map(([sku, qty]) => ({ sku, qty }));
}

/** The policy's limits on lines and units (placement and quotes). */
function lineLimitErrors(ctx: OrdersContext, lines: Line[]): FieldError[] {
  const { policy } = ctx.env;
  const errors: FieldError[] = [];
  if (lines.length > policy.maxLines)
    errors.push({ field: 'body/lines', message: `at most ${policy.maxLines} lines` });
  lines.forEach((l) => {
    if (l.qty > policy.maxQtyPerLine)
      errors.push({ field: 'body/lines', message: `${l.sku}: at most ${policy.maxQtyPerLine} units` });
  });
  return errors;
}

export function checkLineLimits(ctx: OrdersContext, lines: Line[]): void {
  const errors = lineLimitErrors(ctx, lines);
  if (errors.length > 0) throw new BadRequestError('The basket is not valid', errors);
}

/** Rules the schema cannot say. Bad input → 400 listing the fields, nothing written. */
function checkShape(ctx: OrdersContext, p: Principal, input: PlaceOrderInput, lines: Line[]): void {
  const errors: FieldError[] = lineLimitErrors(ctx, lines);
  const f = input.fulfilment;
  if (f.method === 'pickup' && !f.storeId)
    errors.push({ field: 'body/fulfilment/storeId', message: 'required for pickup' });
  if (f.promise && f.method !== 'delivery')
    errors.push({ field: 'body/fulfilment/promise', message: 'only for local delivery' });
  if (f.method !== 'pickup' && f.storeId)
    errors.push({ field: 'body/fulfilment/storeId', message: 'only for pickup' });
  if (f.method === 'voucher' && (f.address || f.geo || f.allowAlternativeStore !== undefined))
    errors.push({ field: 'body/fulfilment', message: 'a voucher order takes no address, point or store' });
  if (f.method === 'ship' && !f.address)
    errors.push({ field: 'body/fulfilment/address', message: 'required for ship' });
  if (f.method === 'delivery') {
    if (!f.address) errors.push({ field: 'body/fulfilment/address', message: 'required for local delivery' });
    if (!f.address?.geo && !f.geo)
      errors.push({
        field: 'body/fulfilment/address/geo',
        message: 'local delivery needs the geocoded point',
      });
  }
  if (input.payment.method === 'card' && !input.payment.cardToken)
    errors.push({ field: 'body/payment/cardToken', message: 'required for card' });
  if (input.payment.method === 'cod' && f.method !== 'delivery')
    errors.push({ field: 'body/payment/method', message: 'cash on delivery is only for local delivery' });
  if (input.pointsToRedeem && p.role !== 'customer' && !input.customerId)
    errors.push({ field: 'body/pointsToRedeem', message: 'points need a customer' });
  if (input.couponId && p.role !== 'customer' && !input.customerId)
    errors.push({ field: 'body/couponId', message: 'a coupon needs a customer' });
  if (errors.length > 0) throw new BadRequestError('The order request is not valid', errors);
  if (p.role === 'customer') {
    if ((input.channel ?? 'online') !== 'online')
      throw new ForbiddenError('customers order on the online channel');
    if (input.customerId && input.customerId !== p.customerId)
      throw new ForbiddenError('customers order for themselves');
    if (!p.customerId) throw new ForbiddenError('the token carries no customer id');
  }
}

/**
 * Staff (store counter, endless aisle, phone) spending a member's points: the member must be there.
 * No proof → 403; a proof customers does not accept → its 422; nothing written either way. Customers
 * audits every accepted proof; the order records which one was used.
 */
async function proveMemberPresence(
  ctx: OrdersContext,
  p: Principal,
  input: PlaceOrderInput,
  customerId: string,
  orderId: string,
  locationId: string,
): Promise<'member_card' | 'one_time_code'> {
  const proof = input.memberProof;
  const staffStores = Object.keys(p.stores);
  if (!proof) throw presenceRequired(ctx);
  try {
    const verified = await ctx.env.upstreams.customers.verifyPresence(
      {
        customerId,
        memberCard: 'memberCard' in proof ? proof.memberCard : '',
        codeId: 'codeId' in proof ? proof.codeId : '',
        code: 'code' in proof ? proof.code : '',
        actorSub: p.sub,
        storeId: staffStores.length === 1 ? staffStores[0]! : locationId,
        orderId,
      },
      { deadlineMs: ctx.env.timings.lookupTimeoutMs },
    );
    return verified.method === 'one_time_code' ? 'one_time_code' : 'member_card';
  } catch (err) {
    if (statusOf(err) === 422) ctx.metrics.refused.inc({ code: 'member-presence-unproven' });
    throw upstreamError('customers', err);
  }
}

function presenceRequired(ctx: OrdersContext): ForbiddenError {
  ctx.metrics.refused.inc({ code: 'member-presence-required' });
  return new ForbiddenError(
    'redeeming points for a customer needs proof the member is present: memberProof with their member card or a one-time code',
    'member-presence-required',
  );
}

interface ResolvedCustomer {
  id: string;
  name?: string;
  points: number;
}

/** The customer: from the token for customers, from the body for staff and agents (optional: walk-in). */
async function resolveCustomer(
  ctx: OrdersContext,
  p: Principal,
  input: PlaceOrderInput,
): Promise<ResolvedCustomer | undefined> {
  const customerId = p.role === 'customer' ? p.customerId : input.customerId;
  if (!customerId) return undefined;
  try {
    const c = await ctx.env.upstreams.customers.resolve(
      { customerId, identityKind: '', identityValue: '' },
      { deadlineMs: ctx.env.timings.lookupTimeoutMs },
    );
    if (c.erased) throw new UnprocessableError('customer-erased', `customer ${customerId} was erased`);
    // Resolve follows merges: the order belongs to the surviving record.
    return { id: c.customerId || customerId, ...(c.name ? { name: c.name } : {}), points: c.points };
  } catch (err) {
    if (statusOf(err) === 404)
      throw new UnprocessableError('unknown-customer', `customer ${customerId} does not exist`);
    throw upstreamError('customers', err);
  }
}

/** Authoritative prices from catalog; unknown or unsellable SKUs → 422 listing them. */
export async function priceLines(
  ctx: OrdersContext,
  lines: Line[],
  channel: Channel,
  storeId?: string,
): Promise<{ priced: PricedLine[]; limited: LimitedLine[]; voucherSkus: ReadonlySet<string> }> {
  const res = await withUpstream('catalog', () =>
    ctx.env.upstreams.catalog.getSkus(
      { skus: lines.map((l) => l.sku), channel: channelToProto(channel), storeId: storeId ?? '' },
      { deadlineMs: ctx.env.timings.lookupTimeoutMs },
    ),
  );
  const bySku = new Map(res.items.map((i) => [i.sku, i]));
  const bad: Array<{ sku: string; reason: string }> = [];
  const priced: PricedLine[] = [];
  const limited: LimitedLine[] = [];
  for (const l of lines) {
    const info = bySku.get(l.sku);
    if (!info) bad.push({ sku: l.sku, reason: 'unknown' });
    else if (!info.sellable) bad.push({ sku: l.sku, reason: info.reason || 'not-sellable' });
    else if (!info.price) bad.push({ sku: l.sku, reason: 'no-price' });
    else
      priced.push({
        sku: l.sku,
        qty: l.qty,
        unitPrice: { amountMinor: info.price.amountMinor, currency: info.price.currency },
        ...(info.name ? { name: info.name } : {}),
        ...(info.productId ? { productId: info.productId } : {}),
      });
    const limit = info?.sellable ? info.purchaseLimit : undefined;
    if (limit && limit.qty > 0 && isLimitPeriod(limit.period))
      limited.push({ sku: l.sku, qty: l.qty, limit: { qty: limit.qty, period: limit.period } });
  }
  if (bad.length > 0) {
    ctx.metrics.refused.inc({ code: 'unsellable-lines' });
    throw new UnprocessableError(
      'unsellable-lines',
      `${bad.length} line(s) cannot be sold on the ${channel} channel`,
      { lines: bad },
    );
  }
  const currencies = new Set(priced.map((l) => l.unitPrice.currency));
  if (currencies.size > 1)
    throw new UnprocessableError('mixed-currencies', `lines are priced in ${[...currencies].join(', ')}`);
  return {
    priced,
    limited,
    voucherSkus: new Set(res.items.filter((i) => i.kind === 'voucher').map((i) => i.sku)),
  };
}

/** Where a voucher order "is": nowhere; the vouchers service issues its codes on confirmation. */
const VOUCHER_ROUTE: RouteChoice = {
  ok: true,
  locationId: 'vouchers',
  locationType: 'virtual',
  reason: 'voucher order: codes are issued on confirmation, no stock is reserved',
  candidates: [],
};

/**
 * Voucher lines (catalog kind `voucher`) reserve no stock: they go in an order of their own with the
 * `voucher` fulfilment, and such an order holds nothing else (one order, several fulfilments is
 * another change).
 */
function checkVoucherLines(
  ctx: OrdersContext,
  method: FulfilmentMethod,
  lines: Line[],
  voucherSkus: ReadonlySet<string>,
): void {
  const vouchers = lines.filter((l) => voucherSkus.has(l.sku)).map((l) => l.sku);
  const goods = lines.filter((l) => !voucherSkus.has(l.sku)).map((l) => l.sku);
  if (method === 'voucher' && goods.length > 0) {
    ctx.metrics.refused.inc({ code: 'not-voucher-lines' });
    throw new UnprocessableError('not-voucher-lines', 'a voucher order holds voucher SKUs only', {
      skus: goods,
    });
  }
  if (method !== 'voucher' && vouchers.length > 0) {
    ctx.metrics.refused.inc({ code: 'voucher-lines-need-voucher-fulfilment' });
    throw new UnprocessableError(
      'voucher-lines-need-voucher-fulfilment',
      'voucher SKUs are ordered on their own, with fulfilment method voucher',
      { skus: vouchers },
    );
  }
}

async function withUpstream<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw upstreamError(name, err);
  }
}

/** Domain errors pass through; an upstream outage is a 503 the client may retry with the same key. */
function upstreamError(name: string, err: unknown): unknown {
  if (err instanceof UnprocessableError) return err;
  const status = statusOf(err);
  if (status === undefined || status >= 500 || status === 429 || status === 401 || status === 403) {
    return new UnavailableError(`${name} is unavailable: ${(err as Error).message}`, 'upstream-unavailable');
  }
  if (err instanceof AppError && status === 422)
    return new UnprocessableError(err.slug, err.detail ?? err.message, err.extensions);
  return err;
}
