import type { Logger } from 'pino';
import type { CustomerNotifier, OutboundNotification } from './port';

/** Development / embedded default: the notification is a log line (without the contact address). */
export class LogNotifier implements CustomerNotifier {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}
  async send(n: OutboundNotification): Promise<void> {
    this.log.info(
      {
        notificationId: n.id,
        customerId: n.customerId,
        orderId: n.orderId,
        channel: n.channel,
        kind: n.kind,
      },
      `customer notification: ${n.title}`,
    );
  }
}
