import { describe, expect, it } from 'vitest';
import { cancellable, canTransition } from '../src/domain/lifecycle';
import { captureAmount, lateCompensationFor, returnRefundFor, returnableQty } from '../src/domain/policy';
import { orderIdFor, reservationIdFor } from '../src/domain/ids';
import type { OrderDoc } from '../src/domain/types';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('order lifecycle', () => {
  it('allows only the documented transitions', () => {
    expect(canTransition('pending', 'confirmed')).toBe(true);
    expect(canTransition('confirmed', 'collected')).toBe(true);
    expect(canTransition('ready_for_pickup', 'out_for_delivery')).toBe(false);
    expect(canTransition('cancelled', 'confirmed')).toBe(false);
    expect(canTransition('delivered', 'returned')).toBe(true);
  });

  it('lets customers cancel only before picking started, ops a little longer', () => {
    expect(cancellable('confirmed', 'customer')).toBe(true);
    expect(cancellable('ready_for_pickup', 'customer')).toContain('only before picking started');
    expect(cancellable('ready_for_pickup', 'ops')).toBe(true);
    expect(cancellable('out_for_delivery', 'ops')).toContain('cannot be cancelled');
    expect(cancellable('cancelled', 'no_show')).toBe('order is already cancelled');
    expect(cancellable('out_for_delivery', 'delivery_failed')).toBe(true);
  });
});

describe('ids', () => {
  it('derives the same order id from the same caller and key, different otherwise', () => {
    expect(orderIdFor('c1', 'k1')).toBe(orderIdFor('c1', 'k1'));
    expect(orderIdFor('c1', 'k1')).not.toBe(orderIdFor('c2', 'k1'));
    expect(orderIdFor('c1', 'k1')).not.toBe(orderIdFor('c1', 'k2'));
    expect(reservationIdFor('ord_x', 2)).toBe('ord_x-r2');
  });
});

describe('policy', () => {
  const order = {
    currency: 'EUR',
    deliveryFee: eur(499),
    amountDue: eur(2499),
    lines: [
      { sku: 'A', qty: 2, unitPrice: eur(1000) },
      { sku: 'B', qty: 1, unitPrice: eur(500) },
    ],
    returnedQty: { A: 1 },
    payment: {
      method: 'card' as const,
      status: 'captured' as const,
      captured: eur(2499),
      refunded: eur(1000),
    },
  } satisfies Partial<OrderDoc>;

  it('refunds the delivery fee of a card order when late, else issues a coupon', () => {
    const policy = { lateCompensation: 'refund_delivery_fee' as const, lateCouponMinor: 300 };
    expect(lateCompensationFor(order, policy, 12, 't')).toMatchObject({
      kind: 'refund_delivery_fee',
      amount: eur(499),
      minutesLate: 12,
    });
    expect(
      lateCompensationFor({ ...order, payment: { method: 'cod', status: 'cod_due' } }, policy, 5, 't'),
    ).toMatchObject({ kind: 'coupon', amount: eur(300) });
    expect(lateCompensationFor(order, { ...policy, lateCompensation: 'coupon' }, 5, 't').kind).toBe('coupon');
  });

  it('captures the amount due less a late-delivery refund granted before capture', () => {
    expect(
      captureAmount({
        amountDue: eur(2499),
        payment: { method: 'card', status: 'authorized', captureReduction: eur(499) },
      }),
    ).toEqual(eur(2000));
  });

  it('refunds returned lines at their price, never more than is still refundable', () => {
    expect(returnRefundFor(order, [{ sku: 'B', qty: 1 }])).toEqual(eur(500));
    expect(returnRefundFor(order, [{ sku: 'A', qty: 2 }])).toEqual(eur(1499));
    expect(returnableQty(order).get('A')).toBe(1);
  });
});
