import type { CancelCause, OrderDoc, OrderStatus, StatusEntry } from './types';

/** Allowed status changes. Anything else is an illegal transition (409 from HTTP, ignored from events). */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['confirmed', 'failed', 'cancelled'],
  // collected/delivered straight from confirmed: the ready or picked-up event may arrive late or never.
  confirmed: ['ready_for_pickup', 'out_for_delivery', 'shipped', 'collected', 'delivered', 'cancelled'],
  ready_for_pickup: ['collected', 'cancelled'],
  out_for_delivery: ['delivered', 'cancelled'],
  collected: ['returned'],
  delivered: ['returned'],
  // a parcel: delivered when the carrier says so (tracking)
  shipped: ['delivered', 'returned'],
  cancelled: [],
  failed: [],
  returned: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The order with its new status and the history entry (the caller emits OrderStatusChanged from it). */
export function withStatus(
  order: OrderDoc,
  to: OrderStatus,
  at: string,
  reason?: string,
): { order: OrderDoc; change: StatusEntry } {
  if (!canTransition(order.status, to)) throw new IllegalTransitionError(order.status, to);
  const change: StatusEntry = { from: order.status, to, at, ...(reason !== undefined ? { reason } : {}) };
  return {
    order: {
      ...order,
      status: to,
      ...(reason !== undefined ? { statusReason: reason } : {}),
      statusHistory: [...order.statusHistory, change],
    },
    change,
  };
}

/**
 * Who may cancel in which status. Customers only before picking started (the store has not marked the
 * order ready, no rider has it); ops also while it waits at the counter; events per their meaning.
 */
const CANCELLABLE: Record<CancelCause, readonly OrderStatus[]> = {
  customer: ['pending', 'confirmed'],
  ops: ['pending', 'confirmed', 'ready_for_pickup'],
  no_show: ['confirmed', 'ready_for_pickup'],
  no_route: ['pending', 'confirmed'],
  delivery_failed: ['confirmed', 'out_for_delivery'],
};

/** true, or why not. */
export function cancellable(status: OrderStatus, cause: CancelCause): true | string {
  if (CANCELLABLE[cause].includes(status)) return true;
  if (status === 'cancelled' || status === 'failed') return `order is already ${status}`;
  return cause === 'customer'
    ? `order is ${status}: customers may cancel only before picking started`
    : `order is ${status}: it cannot be cancelled (${cause})`;
}
