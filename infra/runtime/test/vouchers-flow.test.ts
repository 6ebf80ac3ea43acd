import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../src';
import { api, eventually } from '../src/demo/client';
import {
  getOrder,
  placeOrder,
  skusInStock,
  voucherStory,
  waitForStatus,
  type DemoContext,
} from '../src/demo/flows';
import { startDemoSystem } from './support';

/**
 * Vouchers end to end on the embedded system, through the public APIs: a voucher product in catalog,
 * its offer in vouchers, bought through the normal order (no stock reserved, paid on confirmation),
 * codes issued from the order's confirmation, redeemed at a counter; a goods voucher sells from the
 * redeeming store's stock; the refund of an unused voucher goes back through the order's payment.
 */
let sys: System;
let ctx: DemoContext;
let ops: string;

beforeAll(async () => {
  ({ sys, ctx, ops } = await startDemoSystem());
}, 120_000);
afterAll(async () => sys?.stop());

interface OrderView {
  id: string;
  status: string;
  reservation?: { status: string };
  payment?: { status: string; captured?: { amountMinor: number }; refunded?: { amountMinor: number } };
}
interface CustomerVoucher {
  voucherId: string;
  code: string;
  qr: string;
}

const shopper = () => {
  const c = ctx.customers[2]!;
  return ctx.tokens[`customer:${c.customerId}`]!;
};

async function vouchersOf(orderId: string): Promise<CustomerVoucher[]> {
  return eventually('vouchers issued', async () => {
    const res = await api<{ items?: CustomerVoucher[] }>(
      'GET',
      `${ctx.urls.vouchers}/v1/orders/${orderId}/vouchers`,
      {
        token: shopper(),
        ok: (s) => s === 200 || s === 404,
      },
    );
    return res.items?.length ? res.items : undefined;
  });
}

async function voucherProduct(id: string, sku: string, priceMinor: number): Promise<void> {
  await api('POST', `${ctx.urls.catalog}/v1/products`, {
    token: ops,
    body: {
      id,
      kind: 'voucher',
      name: id,
      skus: [
        {
          sku,
          prices: { online: { amountMinor: priceMinor, currency: 'EUR' } },
          listing: { channels: ['online'] },
        },
      ],
    },
  });
  await api('POST', `${ctx.urls.catalog}/v1/products/${id}/publish`, { token: ops, body: {} });
}

describe('vouchers on the embedded system', () => {
  it('the demo story: bought online, redeemed by QR at S01, refused at S02; a value voucher in part at S04', async () => {
    const orderId = await voucherStory(ctx);
    const order = (await getOrder(ctx, orderId)) as OrderView;
    expect(order.status).toBe('confirmed');
    // Nothing was reserved; the money was taken on confirmation.
    expect(order.payment?.status).toBe('captured');
    expect(order.reservation?.status).toBe('none');
  });

  it('voucher SKUs cannot ride in a goods order, nor goods in a voucher order', async () => {
    const [item] = await skusInStock(ctx, 'S01', 2);
    const refused = await api<{ type: string }>('POST', `${ctx.urls.orders}/v1/orders`, {
      token: shopper(),
      body: {
        lines: [
          { sku: 'VCH-COFFEE-CAKE', qty: 1 },
          { sku: item!.sku, qty: 1 },
        ],
        fulfilment: { method: 'voucher' },
        payment: { method: 'card', cardToken: 'tok_demo_visa' },
      },
      ok: (s) => s === 422,
    });
    expect(refused.type).toContain('not-voucher-lines');
    const refused2 = await api<{ type: string }>('POST', `${ctx.urls.orders}/v1/orders`, {
      token: shopper(),
      body: {
        lines: [{ sku: 'VCH-COFFEE-CAKE', qty: 1 }],
        fulfilment: { method: 'pickup', storeId: 'S01' },
        payment: { method: 'card', cardToken: 'tok_demo_visa' },
      },
      ok: (s) => s === 422,
    });
    expect(refused2.type).toContain('voucher-lines-need-voucher-fulfilment');
  });

  it("a goods voucher sells its goods from the redeeming store's stock at redemption, not before", async () => {
    const [item] = await skusInStock(ctx, 'S02', 3);
    await voucherProduct('v-test-goods', 'VCH-TEST-GOODS', 700);
    await api('POST', `${ctx.urls.vouchers}/v1/voucher-offers`, {
      token: ops,
      body: {
        id: 'OFFER-TEST-GOODS',
        sku: 'VCH-TEST-GOODS',
        name: 'goods',
        kind: 'goods',
        goods: [{ sku: item!.sku, qty: 2 }],
        validFrom: '2020-01-01T00:00:00Z',
        validUntil: '2099-01-01T00:00:00Z',
      },
    });
    const available = async () =>
      (
        await api<{ items: Array<{ sku: string; available: number }> }>(
          'GET',
          `${ctx.urls.inventory}/v1/availability?skus=${item!.sku}&channel=store&storeId=S02`,
        )
      ).items[0]!.available;
    const before = await available();
    const placed = await placeOrder(ctx, shopper(), {
      lines: [{ sku: 'VCH-TEST-GOODS', qty: 1 }],
      fulfilment: { method: 'voucher' },
      payment: { method: 'card', cardToken: 'tok_demo_visa' },
    });
    await waitForStatus(ctx, placed.id, ['confirmed']);
    const [v] = await vouchersOf(placed.id);
    expect(await available()).toBe(before);
    const res = await api<{ redemption: { redemptionId: string } }>(
      'POST',
      `${ctx.urls.vouchers}/v1/stores/S02/vouchers/redemptions`,
      { token: ctx.tokens['clerk:S02'], body: { code: v!.code } },
    );
    await eventually('the sale in S02 stock', async () =>
      (await available()) === before - 2 ? true : undefined,
    );
    const trace = await api<{ redemptions: Array<{ movement?: { status: string; reservationId: string } }> }>(
      'GET',
      `${ctx.urls.vouchers}/v1/vouchers/${v!.voucherId}`,
      { token: ops },
    );
    expect(trace.redemptions[0]!.movement).toMatchObject({
      status: 'committed',
      reservationId: `voucher-${res.redemption.redemptionId}`,
    });
  });

  it("the refund of an unused voucher goes back through the order's payment, once", async () => {
    const placed = await placeOrder(ctx, shopper(), {
      lines: [{ sku: 'VCH-COFFEE-CAKE', qty: 2 }],
      fulfilment: { method: 'voucher' },
      payment: { method: 'card', cardToken: 'tok_demo_visa' },
    });
    await waitForStatus(ctx, placed.id, ['confirmed']);
    const [a] = await vouchersOf(placed.id);
    await api('POST', `${ctx.urls.vouchers}/v1/me/vouchers/${a!.voucherId}/refund`, { token: shopper() });
    const order = await eventually('the refund', async () => {
      const o = (await getOrder(ctx, placed.id)) as OrderView;
      return o.payment?.refunded?.amountMinor ? o : undefined;
    });
    expect(order.payment).toMatchObject({ status: 'partially_refunded', refunded: { amountMinor: 990 } });
  });
});
