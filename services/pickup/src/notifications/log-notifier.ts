import type { Logger } from 'pino';
import type { CustomerNotification, Notifier } from './port';

/** Development / embedded default: the notification is a log line. */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}
  async send(n: CustomerNotification): Promise<void> {
    this.log.info({ notification: n }, `customer notification: pickup ${n.kind}`);
  }
}
