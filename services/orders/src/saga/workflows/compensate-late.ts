import { all, inStatus } from '../../domain/guards';
import { compensated } from '../../domain/order-changes';
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
    completed: (o, p, now) => compensated(o, lateCompensationFor(o, policy, p.minutesLate ?? 1, now)),
    failed: needsOps('compensate-late'),
  };
}
