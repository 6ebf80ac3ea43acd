import { WebhookSender, type WebhookSenderOptions } from '@omni/kit';
import type { CustomerNotification, Notifier } from './port';

export { WebhookError } from '@omni/kit';
export type WebhookNotifierOptions = WebhookSenderOptions;

/**
 * POSTs the notification as JSON to a deployment-configured URL (the messaging gateway), signed and
 * retried by the kit's WebhookSender (shared with customers' notifications).
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  private readonly sender: WebhookSender;

  constructor(opts: WebhookNotifierOptions) {
    this.sender = new WebhookSender(opts);
  }

  async send(n: CustomerNotification): Promise<void> {
    await this.sender.send(n.id, { type: `pickup.${n.kind}`, ...n });
  }
}
