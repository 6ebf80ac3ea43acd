import { all, inStatus } from '../../domain/guards';
import { moveTo } from '../../domain/order-changes';
import { completedEvent } from '../../domain/order-events';
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
  completed(o, p, now) {
    const out = moveTo(
      { ...o, completedAt: now, shipment: { ...p.shipment, at: now } },
      'shipped',
      now,
      'handed to the carrier',
    );
    return { order: out.order, events: [...out.events!, completedEvent(out.order, now)] };
  },
  failed: needsOps('ship'),
};
