import { all, inStatus } from '../../domain/guards';
import { compensatedEvent } from '../../domain/order-events';
import { lateCompensationFor } from '../../domain/policy';
import type { OrdersPolicy } from '../../settings';
import { refundLateFee } from '../steps/refunds';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** Late delivery: the customer is compensated once, as the policy says. */
export function compensateLateWorkflow(policy: OrdersPolicy): Workflow {
  return {
    name: 'compensate_late',
    retryForever: true,
    steps: [refundLateFee(policy)],
    accepts: (o) =>
      all(
        inStatus(o, 'confirmed', 'out_for_delivery', 'delivered'),
        o.fulfilment.method === 'delivery' ? true : 'not a delivery order',
        o.compensation ? 'already compensated' : true,
      ),
    completed(o, p, now) {
      const c = lateCompensationFor(o, policy, p.minutesLate ?? 1, now);
      return {
        order: { ...o, compensation: c },
        events: [compensatedEvent(o, c)],
      };
    },
    failed: needsOps('compensate-late'),
  };
}
