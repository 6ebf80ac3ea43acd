import { all, inStatus, sameReservation } from '../../domain/guards';
import { linesCancelled } from '../../domain/order-changes';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/**
 * Short pick under the `cancel_lines` policy: inventory already released and wrote off the missing
 * units, so nothing is called; the order drops them and its payment will be captured for the rest.
 */
export const cancelLines: Workflow = {
  name: 'cancel_lines',
  retryForever: true,
  steps: [],
  accepts: (o, p) =>
    all(
      inStatus(o, 'confirmed'),
      sameReservation(o, p),
      (p.lines ?? []).length > 0 ? true : 'no lines to cancel',
      o.payment.status === 'authorized' || o.payment.status === 'not_required' || o.payment.method === 'cod'
        ? true
        : `payment is ${o.payment.status}`,
    ),
  completed: (o, p, now) => linesCancelled(o, p.lines ?? [], p.reason ?? 'short pick', now),
  failed: needsOps('cancel-lines'),
};
