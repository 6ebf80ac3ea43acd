import { all, inStatus, sameReservation } from '../../domain/guards';
import { collected } from '../../domain/order-changes';
import { commitStock } from '../steps/inventory';
import { capturePayment } from '../steps/payment';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** Pickup: the customer collected the order at the store; the stock is sold, the money taken. */
export const collect: Workflow = {
  name: 'collect',
  retryForever: true,
  steps: [commitStock, capturePayment],
  accepts: (o, p) => all(inStatus(o, 'confirmed', 'ready_for_pickup'), sameReservation(o, p)),
  completed: (o, p, now) => collected(o, p.at ?? now, now),
  failed: needsOps('collect'),
};
