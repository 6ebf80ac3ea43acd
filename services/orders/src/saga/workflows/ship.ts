import { all, inStatus } from '../../domain/guards';
import { shipped } from '../../domain/order-changes';
import { commitStock } from '../steps/inventory';
import { capturePayment } from '../steps/payment';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** Parcel: handed to the carrier; the stock is sold, the money taken. */
export const ship: Workflow = {
  name: 'ship',
  retryForever: true,
  steps: [commitStock, capturePayment],
  accepts: (o) => all(inStatus(o, 'confirmed'), o.fulfilment.method === 'ship' ? true : 'not a ship order'),
  completed: (o, p, now) => shipped(o, p.shipment, now),
  failed: needsOps('ship'),
};
