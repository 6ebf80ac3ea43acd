import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../src';
import { startDemoSystem } from './support';
import { api, eventually } from '../src/demo/client';
import { skusInStock, type DemoContext } from '../src/demo/flows';

/**
 * Issue 16 items 4–6 across the embedded system, through public APIs only: a till sale naming a
 * member earns points and joins the member's ledger (inventory → customers); the demo city keeps
 * price and range parity; a purchase limit counts the member's till sale against an online order
 * (inventory → customers → orders).
 */
let sys: System;
let ctx: DemoContext;
let ops: string;

beforeAll(async () => {
  ({ sys, ctx, ops } = await startDemoSystem());
}, 120_000);
afterAll(async () => sys?.stop());

const STORE = 'S01';
type Points = { points: number; ledger: { items: Array<{ kind: string; delta: number; orderId?: string }> } };

async function tillSale(member: { card?: string; phone?: string }, lines: Array<{ sku: string; qty: number; unitPrice: { amountMinor: number; currency: string } }>): Promise<string> {
  const pos = ctx.tokens[`pos:${STORE}`]!;
  const state = await api<{ cursor: number }>('GET', `${ctx.urls.inventory}/v1/stores/${STORE}/sync`, { token: pos });
  const clientOpId = `till-${randomUUID()}`;
  const res = await api<{ results: Array<{ status: string }> }>('POST', `${ctx.urls.inventory}/v1/stores/${STORE}/sync`, {
    token: pos,
    body: { ops: [{ clientOpId, seq: state.cursor + 1, type: 'sale', member, lines }] },
  });
  expect(res.results[0]!.status).toBe('applied');
  return clientOpId;
}

describe('members at the till, parity and purchase limits on the embedded system', () => {
  it('a member named at the till (by phone) earns points, shown in their ledger', async () => {
    const anna = ctx.customers.find((c) => c.name === 'Anna Schmidt')!;
    const before = await api<Points>('GET', `${ctx.urls.customers}/v1/customers/${anna.customerId}/points`, { token: ops });
    const [item] = await skusInStock(ctx, STORE, 2);
    const clientOpId = await tillSale({ phone: '+49 30 555 0101' }, [{ sku: item!.sku, qty: 2, unitPrice: { amountMinor: 12_50, currency: 'EUR' } }]);
    const after = await eventually('till points', async () => {
      const p = await api<Points>('GET', `${ctx.urls.customers}/v1/customers/${anna.customerId}/points`, { token: ops });
      return p.points > before.points ? p : undefined;
    });
    expect(after.points - before.points).toBe(25);
    expect(after.ledger.items[0]).toMatchObject({ kind: 'accrual', delta: 25, orderId: `store:${STORE}:${clientOpId}` });
  });

  it('the demo city keeps price and range parity', async () => {
    const report = await api<{ policy: string; items: unknown[] }>('GET', `${ctx.urls.catalog}/v1/ops/parity`, { token: ops });
    expect(report).toEqual({ policy: 'on', items: [], nextCursor: null });
  });

  it('a member\'s till sale counts against a purchase limit online', async () => {
    const anna = ctx.customers.find((c) => c.name === 'Anna Schmidt')!;
    const [, item] = await skusInStock(ctx, STORE, 4);
    const sku = item!.sku;
    const productId = sku.slice(0, sku.lastIndexOf('-'));
    await api('PATCH', `${ctx.urls.catalog}/v1/products/${productId}/skus/${sku}`, { token: ops, body: { purchaseLimit: { qty: 2, period: 'day' } } });
    await tillSale({ phone: '+4930 5550101' }, [{ sku, qty: 2, unitPrice: { amountMinor: 3_00, currency: 'EUR' } }]);

    const shopper = ctx.tokens[`customer:${anna.customerId}`]!;
    const status = await eventually('the till sale to count against the limit', async () => {
      const res = await fetch(`${ctx.urls.orders}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shopper}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ lines: [{ sku, qty: 1 }], fulfilment: { method: 'pickup', storeId: STORE }, payment: { method: 'card', cardToken: 'tok_demo_visa' } }),
      });
      const body = (await res.json()) as { failure?: { code: string }; id?: string };
      if (res.status === 422) return body.failure?.code;
      // Placed before the till sale was counted: cancel it and try again.
      if (body.id) await api('POST', `${ctx.urls.orders}/v1/orders/${body.id}/cancel`, { token: ops, body: {} });
      return undefined;
    }, 20_000);
    expect(status).toBe('purchase-limit-exceeded');
  });
});
