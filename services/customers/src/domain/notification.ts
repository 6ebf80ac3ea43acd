/**
 * Customer notifications about their orders (transactional, not marketing): confirmed with the
 * promise, moved to another store, cancelled, ready for pickup, out for delivery, delivered, late and
 * compensated, refunded. Each has a natural id (kind + order + what distinguishes a repeat), so a
 * redelivered or re-announced event is one notification. They never carry a pickup code: the customer
 * reads it in the app (pickup's `GET /v1/orders/{orderId}/pickup`), so it never sits in a message log.
 */

export type NotificationChannel = 'push' | 'email' | 'sms';
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['push', 'email', 'sms'];

export type NotificationKind =
  | 'order_confirmed'
  | 'order_rerouted'
  | 'order_cancelled'
  | 'ready_for_pickup'
  | 'out_for_delivery'
  | 'delivered'
  | 'late_remedy_offered'
  | 'late_compensated'
  | 'refunded';

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

export interface NotificationDoc {
  /** `<kind>:<orderId>[:<discriminator>]` */
  _id: string;
  customerId: string;
  orderId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** Structured facts for apps and gateways (money, times, store ids; never a pickup code). */
  data: Record<string, unknown>;
  /** Chosen from the customer's preferences and the contacts they have; absent when suppressed. */
  channel?: NotificationChannel;
  status: NotificationStatus;
  /** Why not sent (preferences off, erased customer). */
  suppressedBecause?: string;
  createdAt: string;
  attempts: number;
  nextAttemptAt: string;
  sentAt?: string;
  lastError?: string;
  [k: string]: unknown;
}

export interface NotificationPrefsDoc {
  /** customerId */
  _id: string;
  /** Order updates at all (a customer may turn them off; the app still lists them). */
  orderUpdates: boolean;
  /** Channels in order of preference; the first the customer has a contact for is used. */
  channels: NotificationChannel[];
  updatedAt: string;
  [k: string]: unknown;
}

export interface NotificationPrefs {
  orderUpdates: boolean;
  channels: NotificationChannel[];
}

export const DEFAULT_PREFS: NotificationPrefs = {
  orderUpdates: true,
  channels: ['push', 'email', 'sms'],
};

/** Draft from an event: what to say, before preferences pick the channel. */
export interface NotificationDraft {
  id: string;
  orderId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

export interface Money {
  amountMinor: number;
  currency: string;
}

export function formatMoney(m: Money): string {
  return `${(m.amountMinor / 100).toFixed(2)} ${m.currency}`;
}

/** The promise carried by order events when checkout made one (optional: older events have none). */
export interface Promise_ {
  kind: 'asap' | 'slot' | 'pickup' | 'ship';
  from?: string;
  to?: string;
}

export function promiseOf(data: unknown): Promise_ | undefined {
  const p = (data as { promise?: unknown }).promise;
  if (!p || typeof p !== 'object') return undefined;
  const kind = (p as { kind?: unknown }).kind;
  if (kind !== 'asap' && kind !== 'slot' && kind !== 'pickup' && kind !== 'ship') return undefined;
  const from = (p as { from?: unknown }).from;
  const to = (p as { to?: unknown }).to;
  return {
    kind,
    ...(typeof from === 'string' ? { from } : {}),
    ...(typeof to === 'string' ? { to } : {}),
  };
}

export function describePromise(p: Promise_ | undefined, promisedAt: string | undefined): string {
  if (p?.from && p.to) return ` Expected between ${p.from} and ${p.to}.`;
  if (p?.to) return ` Expected by ${p.to}.`;
  if (promisedAt) return ` Expected by ${promisedAt}.`;
  return '';
}
