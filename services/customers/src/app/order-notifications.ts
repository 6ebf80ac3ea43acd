import type { Session } from '@omni/store';
import type {
  OrderCancelled,
  OrderCompensated,
  OrderConfirmed,
  OrderLateRemedyOffered,
  OrderStatusChanged,
  ReturnRefunded,
} from '@omni/contracts';
import type { EventData } from '@omni/events';
import { describePromise, formatMoney, promiseOf, type NotificationDraft } from '../domain/notification';
import type { CustomersContext } from './context';
import { customerOfOrder, notifyCustomer, rememberOrder } from './notifications';

/**
 * What each order event tells the customer. Ids are natural (kind, order, and what makes a repeat a
 * new fact: the route attempt, the status, the compensation kind, the return), so redelivery and
 * re-announcements are one notification. Events arrive in order per order (one topic, keyed by
 * order); status events carry no customer, so the confirmation's customer is remembered.
 */

type Outcome = 'recorded' | 'duplicate' | 'unknown-customer' | 'not-a-customer-order';

export async function onConfirmed(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof OrderConfirmed>,
): Promise<Outcome> {
  if (!d.customerId) return 'not-a-customer-order';
  await rememberOrder(ctx, session, {
    orderId: d.orderId,
    customerId: d.customerId,
    method: d.fulfilment.method,
    locationId: d.fulfilment.locationId,
  });
  const promise = promiseOf(d);
  const when = describePromise(promise, d.fulfilment.promisedAt);
  const draft: NotificationDraft =
    d.routeAttempt === 0
      ? {
          id: `order_confirmed:${d.orderId}`,
          orderId: d.orderId,
          kind: 'order_confirmed',
          title: 'Order confirmed',
          body: `Your order is confirmed (${d.fulfilment.method}, ${formatMoney(d.payment.amountDue)}).${when}`,
          data: {
            method: d.fulfilment.method,
            locationId: d.fulfilment.locationId,
            amountDue: d.payment.amountDue,
            ...(promise ? { promise } : {}),
            ...(d.fulfilment.promisedAt ? { promisedAt: d.fulfilment.promisedAt } : {}),
          },
        }
      : {
          id: `order_rerouted:${d.orderId}:${d.routeAttempt}`,
          orderId: d.orderId,
          kind: 'order_rerouted',
          title: 'Your order moved to another store',
          body: `Your order is now prepared at another location (${d.fulfilment.locationId}).${when}`,
          data: {
            locationId: d.fulfilment.locationId,
            routeAttempt: d.routeAttempt,
            ...(promise ? { promise } : {}),
            ...(d.fulfilment.promisedAt ? { promisedAt: d.fulfilment.promisedAt } : {}),
          },
        };
  return notifyCustomer(ctx, session, d.customerId, draft);
}

export async function onCancelled(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof OrderCancelled>,
): Promise<Outcome> {
  const customerId = d.customerId ?? (await customerOfOrder(ctx, session, d.orderId))?.customerId;
  if (!customerId) return 'not-a-customer-order';
  const refund = d.refund && d.refund.amountMinor > 0 ? ` ${formatMoney(d.refund)} is refunded.` : '';
  return notifyCustomer(ctx, session, customerId, {
    id: `order_cancelled:${d.orderId}`,
    orderId: d.orderId,
    kind: 'order_cancelled',
    title: 'Order cancelled',
    body: `Your order was cancelled: ${d.reason}.${refund}`,
    data: { reason: d.reason, ...(d.refund ? { refund: d.refund } : {}) },
  });
}

const STATUS_MESSAGES: Partial<
  Record<
    EventData<typeof OrderStatusChanged>['to'],
    { kind: NotificationDraft['kind']; title: string; body: string }
  >
> = {
  ready_for_pickup: {
    kind: 'ready_for_pickup',
    title: 'Ready for pickup',
    // Never the code itself: the app shows it to the signed-in customer only.
    body: 'Your order is ready for pickup. Show the pickup code from the app at the counter.',
  },
  out_for_delivery: {
    kind: 'out_for_delivery',
    title: 'On its way',
    body: 'A rider is bringing your order.',
  },
  delivered: { kind: 'delivered', title: 'Delivered', body: 'Your order was delivered. Enjoy!' },
};

export async function onStatusChanged(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof OrderStatusChanged>,
): Promise<Outcome> {
  const message = STATUS_MESSAGES[d.to];
  if (!message) return 'not-a-customer-order';
  const order = await customerOfOrder(ctx, session, d.orderId);
  if (!order) return 'not-a-customer-order';
  return notifyCustomer(ctx, session, order.customerId, {
    id: `${message.kind}:${d.orderId}`,
    orderId: d.orderId,
    kind: message.kind,
    title: message.title,
    body: message.body,
    data: { status: d.to, ...(d.to === 'ready_for_pickup' ? { storeId: order.locationId } : {}) },
  });
}

export async function onLateRemedyOffered(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof OrderLateRemedyOffered>,
): Promise<Outcome> {
  if (!d.customerId) return 'not-a-customer-order';
  const dflt = d.defaultRemedy === 'free_order' ? 'a free order' : 'a re-delivery';
  return notifyCustomer(ctx, session, d.customerId, {
    id: `late_remedy_offered:${d.orderId}`,
    orderId: d.orderId,
    kind: 'late_remedy_offered',
    title: 'Sorry, your delivery is very late',
    body:
      `Your delivery is ${d.minutesLate} minutes late. Choose a free order (full refund) or a re-delivery ` +
      `in the app before ${d.decideBy}; otherwise you get ${dflt}.`,
    data: { minutesLate: d.minutesLate, decideBy: d.decideBy, defaultRemedy: d.defaultRemedy },
  });
}

export async function onCompensated(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof OrderCompensated>,
): Promise<Outcome> {
  if (!d.customerId) return 'not-a-customer-order';
  const coupon = d.coupon ? ` A ${formatMoney(d.coupon.value)} coupon is in your wallet.` : '';
  const what: Record<typeof d.kind, string> = {
    refund_delivery_fee: `the delivery fee (${formatMoney(d.amount)}) is refunded.`,
    coupon: 'we added a coupon to your wallet.',
    free_order:
      d.amount.amountMinor > 0
        ? `your order is free: ${formatMoney(d.amount)} is refunded.`
        : 'your order is free.',
    redelivery: 'your order will still come, at no delivery charge.',
  };
  return notifyCustomer(ctx, session, d.customerId, {
    id: `late_compensated:${d.orderId}:${d.kind}`,
    orderId: d.orderId,
    kind: 'late_compensated',
    title: 'Late delivery: our apologies',
    body: `Your delivery was ${d.minutesLate} minutes late: ${what[d.kind]}${coupon}`,
    data: {
      compensation: d.kind,
      amount: d.amount,
      minutesLate: d.minutesLate,
      ...(d.coupon ? { coupon: d.coupon } : {}),
    },
  });
}

export async function onReturnRefunded(
  ctx: CustomersContext,
  session: Session,
  d: EventData<typeof ReturnRefunded>,
): Promise<Outcome> {
  const order = await customerOfOrder(ctx, session, d.orderId);
  if (!order || !d.refund) return 'not-a-customer-order';
  return notifyCustomer(ctx, session, order.customerId, {
    id: `refunded:${d.orderId}:${d.returnId}`,
    orderId: d.orderId,
    kind: 'refunded',
    title: 'Refund on its way',
    body: `Your return is refunded: ${formatMoney(d.refund)}.`,
    data: { returnId: d.returnId, refund: d.refund },
  });
}
