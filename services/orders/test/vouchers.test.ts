import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed, VoucherRefundRequested } from '@omni/contracts';
import { api, key, publish, republish, startHarness, waitForOrder, type Harness } from './support/harness';

/**
 * Voucher orders (issue 17): lines of catalog kind `voucher` in an order of their own reserve no
 * stock and are paid on confirmation; a vouchers refund request is paid back once per refund id,
 * however often it is delivered.
 */
let h: Harness;
let customer: string;

beforeAll(async () => {
  h = await startHarness();
  h.catalog.add('VCH', 990, { name: '2 coffees + cake', kind: 'voucher' });
  customer = await h.issuer.customer('C1');
});
afterAll(async () => h?.stop());

const voucherOrder = (lines: Array<{ sku: string; qty: number }>, method = 'voucher') => ({
  lines,
  fulfilment: method === 'pickup' ? { method, storeId: 'S1' } : { method },
  payment: { method: 'card', cardToken: 'tok_visa' },
});

describe('voucher orders', () => {
  it('reserve nothing, are captured on confirmation, and confirm with the voucher lines', async () => {
    const reservesBefore = h.inventory.calls.reserve;
    const res = await api(h, customer).post<{ id: string; status: string }>(
      '/v1/orders',
      voucherOrder([{ sku: 'VCH', qty: 2 }]),
      { headers: key('vch') },
    );
    expect(res.status).toBe(201);
    const order = await waitForOrder(h, res.body.id, (o) => o.status === 'confirmed');
    expect(h.inventory.calls.reserve).toBe(reservesBefore);
    expect(order.reservation.status).toBe('none');
    expect(order.payment).toMatchObject({ status: 'captured', captured: { amountMinor: 1980 } });
    const [confirmed] = await h.events.waitFor(OrderConfirmed, res.body.id);
    expect(confirmed!.data).toMatchObject({
      fulfilment: { method: 'voucher', locationId: 'vouchers' },
      lines: [{ sku: 'VCH', qty: 2 }],
    });
  });

  it('refuse voucher SKUs beside goods, and voucher SKUs with another fulfilment', async () => {
    const mixed = await api(h, customer).post<{ type: string }>(
      '/v1/orders',
      voucherOrder([
        { sku: 'VCH', qty: 1 },
        { sku: 'TEE', qty: 1 },
      ]),
      { headers: key('mixed') },
    );
    expect(mixed.status).toBe(422);
    expect(mixed.body.type).toContain('not-voucher-lines');
    const pickup = await api(h, customer).post<{ type: string }>(
      '/v1/orders',
      voucherOrder([{ sku: 'VCH', qty: 1 }], 'pickup'),
      { headers: key('pickup') },
    );
    expect(pickup.status).toBe(422);
    expect(pickup.body.type).toContain('voucher-lines-need-voucher-fulfilment');
    const address = await api(h, customer).post(
      '/v1/orders',
      {
        ...voucherOrder([{ sku: 'VCH', qty: 1 }]),
        fulfilment: { method: 'voucher', storeId: 'S1' },
      },
      { headers: key('store') },
    );
    expect(address.status).toBe(400);
  });

  it('pays a voucher refund back once, however often the request is delivered', async () => {
    const res = await api(h, customer).post<{ id: string }>(
      '/v1/orders',
      voucherOrder([{ sku: 'VCH', qty: 2 }]),
      {
        headers: key('refund'),
      },
    );
    const id = res.body.id;
    await waitForOrder(h, id, (o) => o.status === 'confirmed');
    const data = {
      voucherId: `${id}:VCH:0`,
      offerId: 'OFFER',
      orderId: id,
      sku: 'VCH',
      refundId: `${id}:VCH:0:refund`,
      customerId: 'C1',
      amount: { amountMinor: 990, currency: 'EUR' },
      reason: 'customer' as const,
    };
    const event = await publish(h.bus, VoucherRefundRequested, id, data);
    await republish(h.bus, VoucherRefundRequested.topic, event);
    // The same refund again under a new event id (a producer retry): still once.
    await publish(h.bus, VoucherRefundRequested, id, data);
    const refunded = await waitForOrder(h, id, (o) => (o.voucherRefunds ?? []).length === 1);
    // Let the later deliveries arrive; nothing more is refunded.
    await publish(h.bus, VoucherRefundRequested, id, {
      ...data,
      voucherId: `${id}:VCH:1`,
      refundId: `${id}:VCH:1:refund`,
    });
    const both = await waitForOrder(h, id, (o) => (o.voucherRefunds ?? []).length === 2);
    expect(refunded.payment.refunded).toEqual({ amountMinor: 990, currency: 'EUR' });
    expect(both.payment).toMatchObject({
      status: 'refunded',
      refunded: { amountMinor: 1980, currency: 'EUR' },
    });
    expect(both.voucherRefunds).toEqual([`${id}:VCH:0:refund`, `${id}:VCH:1:refund`]);
  });
});
