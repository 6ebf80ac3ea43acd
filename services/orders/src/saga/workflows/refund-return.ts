import { returnRefunded } from '../../domain/order-changes';
import { refundReturnPayment } from '../steps/refunds';
import type { Workflow } from '../types';
import { needsOps } from './needs-ops';

/**
 * A received return is refunded; the order is returned once every unit came back and every return is
 * settled. The points the refunded money earned are taken back by customers, which owns points and
 * their accrual rate, on ReturnRefunded (capped by what the order earned, once per return).
 */
export const refundReturn: Workflow = {
  name: 'refund_return',
  retryForever: true,
  steps: [refundReturnPayment],
  accepts: (o, p) => {
    const ret = o.returns.find((r) => r.returnId === p.returnId);
    return !ret ? `no return ${p.returnId}` : ret.status !== 'received' ? `return is ${ret.status}` : true;
  },
  completed: (o, p, now) => returnRefunded(o, p.returnId, now),
  failed: needsOps('refund-return'),
};
