/**
 * Customer notifications (ready for pickup, hold expiring). Never carries the pickup code: the
 * customer sees it in the app (GET /v1/orders/{orderId}/pickup), so it never sits in a message log.
 */
export interface CustomerNotification {
  /** Stable per task and kind, so a receiver can deduplicate retries. */
  id: string;
  kind: 'ready' | 'expiring';
  orderId: string;
  taskId: string;
  storeId: string;
  customerId?: string;
  holdUntil: string;
}

export interface Notifier {
  readonly name: string;
  /** Resolves when delivered; rejects when it should be retried later. */
  send(n: CustomerNotification): Promise<void>;
}
