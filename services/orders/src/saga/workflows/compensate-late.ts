import { all, inStatus } from '../../domain/guards';
import { compensated } from '../../domain/order-changes';
import { lateCompensationFor, lateRemedyFor } from '../../domain/policy';
import type { OrdersPolicy } from '../../settings';
import { refundFreeOrder, refundLateFee } from '../steps/refunds';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/**
 * Late delivery, as the tenant policy says: the first tier (fee refund, or a coupon) once; beyond the
 * free-order threshold the remedy the customer chose (or the default) once. Queued by a late report
 * (dispatch's SLA check or ops) and by the choice; the workflow keys ('late:fee', 'late:remedy') and
 * the state guards make a redelivered report or a second choice change nothing.
 */
export function compensateLateWorkflow(policy: OrdersPolicy): Workflow {
  return {
    name: 'compensate_late',
    retryForever: true,
    steps: [refundLateFee(policy), refundFreeOrder(policy)],
    accepts: (o, p) =>
      all(
        inStatus(o, 'confirmed', 'out_for_delivery', 'delivered'),
        o.fulfilment.method === 'delivery' ? true : 'not a delivery order',
        (p.lateTier ?? 'fee') === 'fee'
          ? o.compensation
            ? 'already compensated'
            : true
          : o.late?.remedy?.compensation
            ? 'remedy already given'
            : true,
      ),
    completed: (o, p, now) => {
      const minutesLate = p.minutesLate ?? o.late?.minutesLate ?? 1;
      const tier = p.lateTier ?? 'fee';
      if (tier === 'fee') return compensated(o, lateCompensationFor(o, policy, minutesLate, now));
      const remedy = lateRemedyFor(o, policy, tier, minutesLate, now);
      const refunded = o.late?.remedy?.refunded;
      return compensated(o, {
        ...remedy,
        ...(refunded ? { amount: refunded } : {}),
        ...(p.chosenBy ? { chosenBy: p.chosenBy } : {}),
      });
    },
    failed: needsOps('compensate-late'),
  };
}
