import { isDuplicateKeyError, type Page, type Session } from '@omni/store';
import { deliverOutbound, NotFoundError, withCursor, type OutboundDeliveryOptions } from '@omni/kit';
import {
  DEFAULT_PREFS,
  type NotificationChannel,
  type NotificationDoc,
  type NotificationDraft,
  type NotificationPrefs,
  type NotificationPrefsDoc,
} from '../domain/notification';
import type { CustomerNotifier } from '../notifications/port';
import { resolveCustomer } from '../store/collections';
import type { CustomersContext } from './context';

/**
 * Customer notifications: recorded from order events in the handler's transaction (the collection is
 * the outbox: one document per natural id, so redelivery records nothing twice), then sent by a job
 * through the notifier port, claimed one at a time, retried with backoff, marked failed in the end.
 */

/** The order → customer projection (status events carry no customer id). */
export async function rememberOrder(
  ctx: CustomersContext,
  session: Session,
  order: { orderId: string; customerId: string; method: string; locationId: string },
): Promise<void> {
  await ctx.collections.notificationOrders.updateOne(
    { _id: order.orderId },
    { $set: { customerId: order.customerId, method: order.method, locationId: order.locationId } },
    { session, upsert: true },
  );
}

export async function customerOfOrder(ctx: CustomersContext, session: Session, orderId: string) {
  return ctx.collections.notificationOrders.findById(orderId, { session });
}

export async function preferencesOf(
  ctx: CustomersContext,
  customerId: string,
  session?: Session,
): Promise<NotificationPrefs> {
  const p = await ctx.collections.notificationPrefs.findById(customerId, session ? { session } : {});
  return p ? { orderUpdates: p.orderUpdates, channels: p.channels } : DEFAULT_PREFS;
}

/** The first preferred channel the customer can be reached on (push needs no contact: the app). */
async function channelFor(
  ctx: CustomersContext,
  session: Session,
  customerId: string,
  channels: NotificationChannel[],
): Promise<NotificationChannel | undefined> {
  const ids = await ctx.collections.identities.find({ customerId }, { session, limit: 50 });
  for (const c of channels) {
    if (c === 'push') return c;
    if (c === 'email' && ids.some((i) => i.kind === 'email')) return c;
    if (c === 'sms' && ids.some((i) => i.kind === 'phone')) return c;
  }
  return undefined;
}

/** Records a notification for the customer once (natural id); preferences decide channel or suppression. */
export async function notifyCustomer(
  ctx: CustomersContext,
  session: Session,
  customerId: string,
  draft: NotificationDraft,
): Promise<'recorded' | 'duplicate' | 'unknown-customer'> {
  if (await ctx.collections.notifications.findById(draft.id, { session })) return 'duplicate';
  const resolved = await resolveCustomer(ctx.collections, customerId, session);
  if (!resolved) return 'unknown-customer';
  const owner = resolved.doc;
  const now = ctx.clock().toISOString();
  const prefs = await preferencesOf(ctx, owner._id, session);
  const channel =
    owner.status === 'erased' || !prefs.orderUpdates
      ? undefined
      : await channelFor(ctx, session, owner._id, prefs.channels);
  const suppressedBecause =
    owner.status === 'erased'
      ? 'customer erased'
      : !prefs.orderUpdates
        ? 'order updates turned off'
        : !channel
          ? 'no contact for the preferred channels'
          : undefined;
  const doc: NotificationDoc = {
    _id: draft.id,
    customerId: owner._id,
    orderId: draft.orderId,
    kind: draft.kind,
    title: draft.title,
    body: draft.body,
    data: draft.data,
    ...(channel ? { channel } : {}),
    status: suppressedBecause ? 'suppressed' : 'pending',
    ...(suppressedBecause ? { suppressedBecause } : {}),
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
  };
  try {
    await ctx.collections.notifications.insertOne(doc, { session });
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'duplicate';
    throw err;
  }
  return 'recorded';
}

export interface NotifyDeliveryOptions extends OutboundDeliveryOptions {
  notifier: CustomerNotifier;
}

/** Sends due notifications outside any transaction, each claimed first (replicas never send one twice at once). */
export async function deliverCustomerNotifications(
  ctx: CustomersContext,
  opts: NotifyDeliveryOptions,
  now: Date = ctx.clock(),
): Promise<{ sent: number; failed: number; retrying: number }> {
  return deliverOutbound(
    ctx.collections.notifications,
    async (n) => {
      // Only notifications with a channel are recorded as pending (the others are suppressed).
      if (!n.channel) throw new Error(`notification ${n._id} has no channel`);
      const to =
        n.channel === 'push'
          ? undefined
          : (
              await ctx.collections.identities.findOne({
                customerId: n.customerId,
                kind: n.channel === 'email' ? 'email' : 'phone',
              })
            )?.value;
      await opts.notifier.send({
        id: n._id,
        customerId: n.customerId,
        orderId: n.orderId,
        kind: n.kind,
        channel: n.channel,
        ...(to ? { to } : {}),
        title: n.title,
        body: n.body,
        data: n.data,
      });
    },
    { ...opts, now, clock: ctx.clock, log: ctx.log, what: 'customer notification not delivered' },
  );
}

export type NotificationView = Omit<NotificationDoc, '_id' | 'nextAttemptAt'> & { id: string };

function view(n: NotificationDoc): NotificationView {
  const { _id, nextAttemptAt: _next, ...rest } = n;
  return { id: _id, ...rest };
}

/** The customer's notifications, newest first (records merged into them included). */
export async function listNotifications(
  ctx: CustomersContext,
  customerId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<NotificationView>> {
  const resolved = await resolveCustomer(ctx.collections, customerId);
  if (!resolved) throw new NotFoundError('customer', customerId);
  const survivor = resolved.doc._id;
  const merged = await ctx.collections.customers.find({ mergedInto: survivor }, { limit: 1000 });
  const res = await withCursor(() =>
    ctx.collections.notifications.page(
      { customerId: { $in: [survivor, ...merged.map((m) => m._id)] } },
      { limit: page.limit, cursor: page.cursor ?? null, sortField: 'createdAt', direction: -1 },
    ),
  );
  return { items: res.items.map(view), nextCursor: res.nextCursor };
}

export async function setPreferences(
  ctx: CustomersContext,
  customerId: string,
  prefs: { orderUpdates: boolean; channels: NotificationChannel[] },
): Promise<NotificationPrefsDoc> {
  const doc: NotificationPrefsDoc = {
    _id: customerId,
    orderUpdates: prefs.orderUpdates,
    channels: [...new Set(prefs.channels)],
    updatedAt: ctx.clock().toISOString(),
  };
  await ctx.collections.notificationPrefs.replaceOne({ _id: customerId }, doc, { upsert: true });
  return doc;
}
