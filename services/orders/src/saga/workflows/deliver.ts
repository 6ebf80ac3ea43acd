import { all, inStatus, sameReservation } from '../../domain/guards';
import { delivered } from '../../domain/order-changes';
import { commitStock } from '../steps/inventory';
import { capturePayment } from '../steps/payment';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** Delivery: the rider delivered; the money is taken (or the cash collected is recorded). */
export const deliver: Workflow = {
  name: 'deliver',
  retryForever: true,
  steps: [commitStock, capturePayment],
  accepts: (o, p) => all(inStatus(o, 'confirmed', 'out_for_delivery'), sameReservation(o, p)),
  completed: (o, p, now) => delivered(o, p.at ?? now, p.codCollected, now),
  failed: needsOps('deliver'),
};
