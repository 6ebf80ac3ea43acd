import { NotFoundError, UnprocessableError } from '@omni/kit';
import { customers as pb } from '@omni/proto';
import type { TestTokenIssuer } from '@omni/testing';
import { requireService, serveDouble } from './grpc-double';

interface FakeCustomer {
  id: string;
  name: string;
  points: number;
  erased: boolean;
  mergedInto?: string;
}

export const FAKE_PRESENCE_CODE = '424242';

interface FakeCoupon {
  id: string;
  customerId: string;
  value: { amountMinor: number; currency: string };
  redeemedFor?: string;
}

/** Customers double: resolve (following merges), points redeem/refund idempotent by operation id. */
export class FakeCustomers {
  readonly customers = new Map<string, FakeCustomer>();
  private readonly operations = new Map<string, number>();
  address = '';
  readonly coupons = new Map<string, FakeCoupon>();
  readonly calls = { redeem: 0, refund: 0, presence: 0, redeemCoupon: 0, releaseCoupon: 0 };
  /** Runs before each redemption (e.g. the customer spent the points in a store meanwhile). */
  onRedeem?: () => void;
  private server?: { close(): Promise<void> };

  static async start(issuer: TestTokenIssuer): Promise<FakeCustomers> {
    const c = new FakeCustomers();
    const s = await serveDouble('fake-customers', issuer, pb.CustomersServiceService, {
      resolve: async (req, ctx) => {
        requireService(ctx);
        const found = c.follow(req.customerId);
        return {
          customerId: found.id,
          name: found.name,
          level: 'basic',
          points: found.points,
          addresses: [],
          resolvedFrom: found.id !== req.customerId ? req.customerId : '',
          erased: found.erased,
        };
      },
      redeemPoints: async (req, ctx) => {
        requireService(ctx);
        c.calls.redeem++;
        c.onRedeem?.();
        const cust = c.follow(req.customerId);
        if (!c.operations.has(req.operationId)) {
          if (cust.points < req.points)
            throw new UnprocessableError('insufficient-points', `balance ${cust.points} < ${req.points}`);
          cust.points -= req.points;
          c.operations.set(req.operationId, req.points);
        }
        return { customerId: cust.id, points: cust.points };
      },
      // Presence at a counter: the card `CARD-<customer id>` or the one-time code FAKE_PRESENCE_CODE.
      verifyPresence: async (req, ctx) => {
        requireService(ctx);
        c.calls.presence++;
        const cust = c.follow(req.customerId);
        const ok = req.memberCard ? req.memberCard === `CARD-${cust.id}` : req.code === FAKE_PRESENCE_CODE;
        if (!ok) throw new UnprocessableError('member-presence-unproven', 'the member is not proven present');
        return { customerId: cust.id, method: req.memberCard ? 'member_card' : 'one_time_code' };
      },
      // Coupons: one order per coupon, idempotent per (coupon, order), as customers does it.
      redeemCoupon: async (req, ctx) => {
        requireService(ctx);
        c.calls.redeemCoupon++;
        const coupon = c.coupons.get(req.couponId);
        if (!coupon || coupon.customerId !== c.follow(req.customerId).id)
          throw new NotFoundError('coupon', req.couponId);
        if (coupon.redeemedFor && coupon.redeemedFor !== req.orderId)
          throw new UnprocessableError('coupon-not-usable', 'the coupon was already used');
        if (coupon.value.currency !== req.currency)
          throw new UnprocessableError('coupon-not-usable', 'the coupon is in another currency');
        coupon.redeemedFor = req.orderId;
        return c.couponOut(coupon);
      },
      releaseCoupon: async (req, ctx) => {
        requireService(ctx);
        c.calls.releaseCoupon++;
        const coupon = c.coupons.get(req.couponId);
        if (!coupon) throw new NotFoundError('coupon', req.couponId);
        if (coupon.redeemedFor === req.orderId) delete coupon.redeemedFor;
        return c.couponOut(coupon);
      },
      refundPoints: async (req, ctx) => {
        requireService(ctx);
        c.calls.refund++;
        const cust = c.follow(req.customerId);
        if (!c.operations.has(req.operationId)) {
          cust.points += req.points;
          c.operations.set(req.operationId, req.points);
        }
        return { customerId: cust.id, points: cust.points };
      },
    });
    c.address = s.address;
    c.server = s;
    return c;
  }

  add(id: string, name: string, points = 0): this {
    this.customers.set(id, { id, name, points, erased: false });
    return this;
  }

  addCoupon(id: string, customerId: string, amountMinor: number, currency = 'EUR'): void {
    this.coupons.set(id, { id, customerId, value: { amountMinor, currency } });
  }

  private couponOut(c: FakeCoupon) {
    return {
      couponId: c.id,
      customerId: c.customerId,
      value: c.value,
      status: c.redeemedFor ? 'redeemed' : 'active',
      redeemedForOrderId: c.redeemedFor ?? '',
    };
  }

  setPoints(id: string, points: number): void {
    this.follow(id).points = points;
  }

  points(id: string): number {
    return this.follow(id).points;
  }

  /** Merges `mergedId` into `survivorId` (points move); the test publishes CustomerMerged itself. */
  merge(mergedId: string, survivorId: string): void {
    const merged = this.follow(mergedId);
    const survivor = this.follow(survivorId);
    survivor.points += merged.points;
    merged.points = 0;
    merged.mergedInto = survivor.id;
  }

  private follow(id: string): FakeCustomer {
    let c = this.customers.get(id);
    for (let i = 0; c?.mergedInto && i < 10; i++) c = this.customers.get(c.mergedInto);
    if (!c) throw new NotFoundError('customer', id);
    return c;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
