import { moveTo } from '../../domain/order-changes';
import { returnRefundedEvent } from '../../domain/order-events';
import type { PendingEvent } from '../../domain/outcome';
import type { OrderDoc } from '../../domain/types';
import { refundReturnPayment } from '../steps/refunds';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/** A received return is refunded; the order is returned once every unit came back and was refunded. */
export const refundReturn: Workflow = {
  name: 'refund_return',
  retryForever: true,
  steps: [refundReturnPayment],
  accepts: (o, p) => {
    const ret = o.returns.find((r) => r.returnId === p.returnId);
    return !ret ? `no return ${p.returnId}` : ret.status !== 'received' ? `return is ${ret.status}` : true;
  },
  completed(o, p, now) {
    const ret = o.returns.find((r) => r.returnId === p.returnId)!;
    const method =
      o.payment.method === 'card' ? 'card' : (ret.refund?.amountMinor ?? 0) > 0 ? 'manual' : 'none';
    let order: OrderDoc = {
      ...o,
      returns: o.returns.map((r) =>
        r.returnId === ret.returnId ? { ...r, status: 'refunded', refundMethod: method, refundedAt: now } : r,
      ),
    };
    const events: PendingEvent[] = [returnRefundedEvent(o, ret)];
    const everything = o.lines.every((l) => (o.returnedQty[l.sku] ?? 0) >= l.qty);
    const allSettled = order.returns.every((r) => r.status === 'refunded');
    if (everything && allSettled && o.status !== 'returned') {
      const out = moveTo(order, 'returned', now, 'every unit was returned');
      order = out.order;
      events.push(...out.events!);
    }
    return { order, events };
  },
  failed: needsOps('refund-return'),
};
