import { WebhookSender, type WebhookSenderOptions } from '@omni/kit';
import type { CustomerNotifier, OutboundNotification } from './port';

/** Real deployments: each notification is POSTed to the messaging gateway, signed and retried (kit). */
export class WebhookNotifier implements CustomerNotifier {
  readonly name = 'webhook';
  private readonly sender: WebhookSender;
  constructor(opts: WebhookSenderOptions) {
    this.sender = new WebhookSender(opts);
  }
  async send(n: OutboundNotification): Promise<void> {
    await this.sender.send(n.id, { type: `customer.${n.kind}`, ...n });
  }
}
