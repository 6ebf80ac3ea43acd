import { inStatus } from '../../domain/guards';
import { confirmed, placementFailed } from '../../domain/order-changes';
import { authorizePayment, captureVoucherPayment } from '../steps/payment';
import { redeemPoints } from '../steps/points';
import { reserveStock } from '../steps/inventory';
import type { Workflow } from '../types';

/**
 * Placement: reserve → redeem points → authorise payment, then the order is confirmed. A voucher order
 * reserves nothing and is paid at once (its codes are issued on confirmation).
 */
export const place: Workflow = {
  name: 'place',
  steps: [reserveStock, redeemPoints, authorizePayment, captureVoucherPayment],
  accepts: (o) => inStatus(o, 'pending'),
  completed: (o, _p, now) => confirmed(o, now),
  failed: (o, _p, failure, now) => placementFailed(o, failure, now),
};
