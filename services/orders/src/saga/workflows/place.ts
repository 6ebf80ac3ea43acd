import { inStatus } from '../../domain/guards';
import { confirmed, placementFailed } from '../../domain/order-changes';
import { authorizePayment } from '../steps/payment';
import { redeemPoints } from '../steps/points';
import { redeemCoupon } from '../steps/coupon';
import { reserveStock } from '../steps/inventory';
import type { Workflow } from '../types';

/** Placement: reserve → redeem points → spend a wallet coupon → authorise payment, then confirmed. */
export const place: Workflow = {
  name: 'place',
  steps: [reserveStock, redeemPoints, redeemCoupon, authorizePayment],
  accepts: (o) => inStatus(o, 'pending'),
  completed: (o, _p, now) => confirmed(o, now),
  failed: (o, _p, failure, now) => placementFailed(o, failure, now),
};
