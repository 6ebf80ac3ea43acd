import { inStatus } from '../../domain/guards';
import { confirmed, placementFailed } from '../../domain/order-changes';
import { authorizePayment, captureVoucherPayment } from '../steps/payment';
import { redeemPoints } from '../steps/points';
import { redeemCoupon } from '../steps/coupon';
import { reserveStock } from '../steps/inventory';
import { followSlotOnPlacement, holdSlot } from '../steps/slot';
import { claimPurchaseLimits } from '../steps/limits';
import type { Workflow } from '../types';

/**
 * Placement: claim purchase limits → (slot held) → reserve → redeem points → spend a wallet coupon →
 * authorise payment, then the order is confirmed. Limits first: the cheapest refusal, and it must not
 * hold a slot it then gives back. A voucher order reserves nothing and is paid at once (its codes are
 * issued on confirmation).
 */
export const place: Workflow = {
  name: 'place',
  steps: [
    claimPurchaseLimits,
    holdSlot,
    reserveStock,
    followSlotOnPlacement,
    redeemPoints,
    redeemCoupon,
    authorizePayment,
    captureVoucherPayment,
  ],
  accepts: (o) => inStatus(o, 'pending'),
  completed: (o, _p, now) => confirmed(o, now),
  failed: (o, _p, failure, now) => placementFailed(o, failure, now),
};
