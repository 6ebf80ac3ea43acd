import { inStatus } from '../../domain/guards';
import { moveTo } from '../../domain/order-changes';
import { confirmedEvent } from '../../domain/order-events';
import type { OrderDoc } from '../../domain/types';
import { authorizePayment } from '../steps/payment';
import { redeemPoints } from '../steps/points';
import { reserveStock } from '../steps/inventory';
import type { Workflow } from '../types';

/** Placement: reserve → redeem points → authorise payment, then the order is confirmed. */
export const place: Workflow = {
  name: 'place',
  steps: [reserveStock, redeemPoints, authorizePayment],
  accepts: (o) => inStatus(o, 'pending'),
  completed(o, _p, now) {
    const paid: OrderDoc = {
      ...o,
      payment: {
        ...o.payment,
        status:
          o.payment.method === 'cod'
            ? 'cod_due'
            : o.amountDue.amountMinor === 0
              ? 'not_required'
              : o.payment.status,
      },
    };
    const out = moveTo(paid, 'confirmed', now, o.route.reason);
    return { order: out.order, events: [...out.events!, confirmedEvent(out.order)] };
  },
  failed(o, _p, failure, now) {
    const out = moveTo({ ...o, failure }, 'failed', now, `${failure.code}: ${failure.reason}`);
    return out;
  },
};
