import { authorize, BadRequestError, NotFoundError, type UnaryHandlers } from '@omni/kit';
import { customers as pb } from '@omni/proto';
import { isIdentityKind } from '../domain/identity';
import type { CustomerDoc } from '../domain/customer';
import { resolveCustomer } from '../store/collections';
import { redeemPoints } from '../app/redeem-points';
import { refundPoints } from '../app/refund-points';
import { verifyPresence } from '../app/member-presence';
import { redeemCoupon, releaseCoupon, type CouponView } from '../app/coupons';
import { customerIdByIdentity } from '../app/queries/get-customer';
import type { CustomersContext } from '../app/context';

/**
 * CustomersService (proto/omni/customers/v1/customers.proto). Thin: checks the caller's
 * permission (`customers:read` to resolve, `customers:write` to move points), maps proto ↔ domain
 * and calls the use cases; domain errors map to gRPC codes in the kit (422 → FAILED_PRECONDITION).
 */
export function customersGrpcHandlers(ctx: CustomersContext): UnaryHandlers<typeof pb.CustomersServiceService> {
  return {
    async resolve(req, call) {
      authorize(call.principal, 'customers:read');
      let id = req.customerId;
      if (!id) {
        if (!req.identityKind || !req.identityValue) {
          throw new BadRequestError('give customer_id, or identity_kind and identity_value', [{ field: 'customer_id', message: 'is required' }]);
        }
        if (!isIdentityKind(req.identityKind)) {
          throw new BadRequestError('unknown identity kind', [{ field: 'identity_kind', message: 'must be email, phone, member_card or messaging' }]);
        }
        id = (await customerIdByIdentity(ctx, req.identityKind, req.identityValue, 'identity_value')) ?? '';
        if (!id) throw new NotFoundError(`customer with this ${req.identityKind}`);
      }
      const resolved = await resolveCustomer(ctx.collections, id);
      if (!resolved) throw new NotFoundError('customer', id);
      return toProto(resolved.doc, resolved.resolvedFrom);
    },

    async redeemPoints(req, call) {
      authorize(call.principal, 'customers:write');
      return redeemPoints(ctx, { customerId: req.customerId, points: req.points, orderId: req.orderId, operationId: req.operationId });
    },

    async verifyPresence(req, call) {
      const p = authorize(call.principal, 'customers:write');
      return verifyPresence(
        ctx,
        {
          customerId: req.customerId,
          ...(req.memberCard ? { memberCard: req.memberCard } : {}),
          ...(req.codeId ? { codeId: req.codeId } : {}),
          ...(req.code ? { code: req.code } : {}),
          actorSub: req.actorSub,
          storeId: req.storeId,
          orderId: req.orderId,
        },
        { sub: p.sub, role: p.role },
      );
    },

    async redeemCoupon(req, call) {
      authorize(call.principal, 'customers:write');
      if (!req.customerId || !req.couponId || !req.orderId || !req.currency) {
        throw new BadRequestError('customer_id, coupon_id, order_id and currency are required', [{ field: 'coupon_id', message: 'is required' }]);
      }
      return couponToProto(await redeemCoupon(ctx, { customerId: req.customerId, couponId: req.couponId, orderId: req.orderId, currency: req.currency }));
    },

    async releaseCoupon(req, call) {
      authorize(call.principal, 'customers:write');
      if (!req.couponId || !req.orderId) {
        throw new BadRequestError('coupon_id and order_id are required', [{ field: 'coupon_id', message: 'is required' }]);
      }
      const c = await releaseCoupon(ctx, { customerId: req.customerId, couponId: req.couponId, orderId: req.orderId });
      if (!c) throw new NotFoundError('coupon', req.couponId);
      return couponToProto(c);
    },

    async refundPoints(req, call) {
      authorize(call.principal, 'customers:write');
      return refundPoints(ctx, { customerId: req.customerId, points: req.points, orderId: req.orderId, operationId: req.operationId });
    },
  };
}

function couponToProto(c: CouponView): pb.Coupon {
  return {
    couponId: c.couponId,
    customerId: c.customerId,
    value: { amountMinor: c.value.amountMinor, currency: c.value.currency },
    status: c.status,
    redeemedForOrderId: c.redeemedFor?.orderId ?? '',
  };
}

function toProto(doc: CustomerDoc, resolvedFrom?: string): pb.Customer {
  return {
    customerId: doc._id,
    name: doc.name,
    level: doc.level,
    points: doc.points,
    addresses: doc.addresses.map((a) => ({
      lines: a.lines,
      city: a.city,
      postalCode: a.postalCode,
      country: a.country,
      geo: a.geo ? { lat: a.geo.lat, lng: a.geo.lng } : undefined,
    })),
    resolvedFrom: resolvedFrom ?? '',
    erased: doc.status === 'erased',
  };
}
