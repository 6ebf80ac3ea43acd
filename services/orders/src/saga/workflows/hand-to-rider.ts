import { all, inStatus, sameReservation } from '../../domain/guards';
import { moveTo } from '../../domain/order-changes';
import { commitStock } from '../steps/inventory';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** Delivery: a rider picked the order up; the stock is sold. */
export const handToRider: Workflow = {
  name: 'hand_to_rider',
  retryForever: true,
  steps: [commitStock],
  accepts: (o, p) => all(inStatus(o, 'confirmed'), sameReservation(o, p)),
  completed: (o, _p, now) => moveTo(o, 'out_for_delivery', now, 'picked up by the rider'),
  failed: needsOps('hand-to-rider'),
};
