import { inStatus } from '../../domain/guards';
import { confirmed, placementFailed } from '../../domain/order-changes';
import { authorizePayment } from '../steps/payment';
import { redeemPoints } from '../steps/points';
import { reserveStock } from '../steps/inventory';
import { claimPurchaseLimits } from '../steps/limits';
import type { Workflow } from '../types';

/** Placement: claim purchase limits → reserve → redeem points → authorise payment, then the order is confirmed. */
export const place: Workflow = {
  name: 'place',
  steps: [claimPurchaseLimits, reserveStock, redeemPoints, authorizePayment],
  accepts: (o) => inStatus(o, 'pending'),
  completed: (o, _p, now) => confirmed(o, now),
  failed: (o, _p, failure, now) => placementFailed(o, failure, now),
};
