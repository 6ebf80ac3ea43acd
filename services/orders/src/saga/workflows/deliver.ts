import { all, inStatus, sameReservation } from '../../domain/guards';
import { moveTo, withAttention } from '../../domain/order-changes';
import { completedEvent } from '../../domain/order-events';
import type { OrderDoc } from '../../domain/types';
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
  completed(o, p, now) {
    const at = p.at ?? now;
    let order: OrderDoc = { ...o, completedAt: at };
    if (o.payment.method === 'cod') {
      const collected = p.codCollected ?? o.amountDue;
      order = { ...order, payment: { ...o.payment, status: 'cod_paid', codCollected: collected } };
      if (collected.amountMinor !== o.amountDue.amountMinor || collected.currency !== o.amountDue.currency) {
        order = withAttention(
          order,
          'cod-mismatch',
          `rider collected ${collected.amountMinor} ${collected.currency}, due ${o.amountDue.amountMinor} ${o.amountDue.currency}`,
          now,
        );
      }
    }
    const out = moveTo(order, 'delivered', now, 'delivered');
    return { order: out.order, events: [...out.events!, completedEvent(out.order, at)] };
  },
  failed: needsOps('deliver'),
};
