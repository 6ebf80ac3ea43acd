import type { NotificationChannel, NotificationKind } from '../domain/notification';

/** One message to one customer, as the transport sees it. */
export interface OutboundNotification {
  /** Stable per notification: receivers deduplicate retries by it. */
  id: string;
  customerId: string;
  orderId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  /** Email address or phone number for those channels (absent for push: the app is addressed by customer). */
  to?: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

/** Where customer notifications go: a log (embedded, tests) or a messaging gateway (webhook). */
export interface CustomerNotifier {
  readonly name: string;
  /** Resolves when delivered; rejects to be retried later (a kit WebhookError that is not retryable: never). */
  send(n: OutboundNotification): Promise<void>;
}
