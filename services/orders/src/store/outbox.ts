import type { Service } from '@omni/kit';
import type { Publisher } from './order-repository';

/**
 * Where an order's events go: the service's transactional outbox, in the session of the change that
 * announces them, partitioned by the order unless the event names its own subject.
 */
export function outboxPublisher(events: Service['events']): Publisher {
  return async (session, e, orderId) => {
    await events.publish(session, e.def, { subject: e.subject ?? orderId, data: e.data as never });
  };
}
