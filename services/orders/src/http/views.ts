import type { Principal } from '@omni/kit';
import type { OrderDoc } from '../domain/types';

/**
 * The order as clients see it. Customers get their order without the routing internals (which other
 * locations had what stock) and without ops notes; staff and ops get everything useful to act on it.
 */
export function orderView(o: OrderDoc, viewer: Principal | null): Record<string, unknown> {
  const internal = viewer !== null && viewer.role !== 'customer';
  const route = internal
    ? o.route
    : {
        locationId: o.route.locationId,
        locationType: o.route.locationType,
        locationName: o.route.locationName,
        reason: o.route.reason,
        attempt: o.route.attempt,
      };
  return {
    id: o._id,
    status: o.status,
    statusReason: o.statusReason,
    customerId: o.customerId,
    customerName: o.customerName,
    channel: o.channel,
    lines: o.lines,
    subtotal: o.subtotal,
    deliveryFee: o.deliveryFee,
    total: o.total,
    amountDue: o.amountDue,
    points: o.points
      ? { redeemed: o.points.requested, discount: o.points.discount, refunded: o.points.refunded }
      : undefined,
    fulfilment: {
      method: o.fulfilment.method,
      locationId: o.fulfilment.locationId,
      requestedStoreId: o.fulfilment.requestedStoreId,
      address: o.fulfilment.address,
      holdUntil: o.fulfilment.holdUntil,
    },
    promise: o.promise,
    route,
    routeAttempt: o.routeAttempt,
    ...(internal
      ? {
          routeHistory: o.routeHistory,
          reservation: o.reservation,
          attention: o.attention,
          placedBy: o.placedBy,
        }
      : {}),
    payment: {
      method: o.payment.method,
      status: o.payment.status,
      authorized: o.payment.authorized,
      captured: o.payment.captured,
      refunded: o.payment.refunded,
      codCollected: o.payment.codCollected,
    },
    failure: o.failure,
    coupon: o.coupon,
    compensation: o.compensation,
    late: o.late,
    returns: o.returns,
    shipment: o.shipment,
    statusHistory: o.statusHistory,
    /** Work still running on the order (a saga step, a cancellation...). */
    processing: o.saga ? o.saga.workflow : o.queue[0]?.workflow,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    completedAt: o.completedAt,
  };
}
