import { all, inStatus } from '../../domain/guards';
import { shipped } from '../../domain/order-changes';
import { bookCarrier } from '../steps/carrier';
import { commitStock } from '../steps/inventory';
import { capturePayment } from '../steps/payment';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/**
 * Parcel: booked with the carrier and handed over; the stock is sold, the money taken. The order is
 * completed later, when the carrier reports it delivered (carrier-tracking job).
 */
export const ship: Workflow = {
  name: 'ship',
  retryForever: true,
  steps: [bookCarrier, commitStock, capturePayment],
  accepts: (o) => all(inStatus(o, 'confirmed'), o.fulfilment.method === 'ship' ? true : 'not a ship order'),
  completed: (o, p, now) => shipped(o, p.shipment, now),
  failed: needsOps('ship'),
};
