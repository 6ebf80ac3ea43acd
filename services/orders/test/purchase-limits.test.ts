import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorePurchaseRecorded } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import { api, key, publish, republish, startHarness, waitForOrder, type Harness } from './support/harness';
import type { PurchaseCounterDoc } from '../src/store/purchase-counters';
import { periodKey } from '../src/domain/purchase-limits';

/**
 * Issue 16 item 6: "5 per customer per day" on a promoted SKU, enforced at placement under
 * concurrency (one conditional update per claim), given back on cancel and on a failed placement,
 * and counting till sales of the member (StorePurchaseRecorded) across channels.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.catalog.add('PROMO', 199, { name: 'Promo cola', purchaseLimit: { qty: 5, period: 'day' } });
  for (const loc of ['W1', 'S1', 'S2', 'S3']) h.inventory.setStock(loc, 'PROMO', 500);
  for (const id of ['L1', 'L2', 'L3', 'L4']) h.customers.add(id, `Limit ${id}`);
});
afterAll(async () => h?.stop());

type Placed = { id: string; status: string };
type Refused = { type: string; failure?: { code: string } };

const order = (token: string, qty = 1, cardToken = 'tok_visa') =>
  api(h, token).post<Placed & Refused>(
    '/v1/orders',
    {
      lines: [{ sku: 'PROMO', qty }],
      fulfilment: { method: 'pickup', storeId: 'S1' },
      payment: { method: 'card', cardToken },
    },
    { headers: key('limit') },
  );

const counters = () => h.store.collection<PurchaseCounterDoc>('purchase_counters');
const today = () => periodKey('day', new Date().toISOString());
const bought = async (customerId: string) => (await counters().findById(`${customerId}|PROMO|${today()}`))?.count ?? 0;

describe('purchase limits at placement', () => {
  it('lets exactly 5 of 20 concurrent orders of 1 through, and frees a unit when one is cancelled', async () => {
    const l1 = await h.issuer.customer('L1');
    const stockBefore = h.inventory.available('S1', 'PROMO');
    const results = await Promise.all(Array.from({ length: 20 }, () => order(l1)));
    const confirmed = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(confirmed).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.body.failure?.code).toBe('purchase-limit-exceeded');
    expect(await bought('L1')).toBe(5);
    // Refused orders reserved nothing: the limit is claimed before stock.
    expect(stockBefore - h.inventory.available('S1', 'PROMO')).toBe(5);
    // Another customer is not affected.
    expect((await order(await h.issuer.customer('L2'))).status).toBe(201);

    const cancelled = await api(h, l1).post(`/v1/orders/${confirmed[0]!.body.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    await waitForOrder(h, confirmed[0]!.body.id, (o) => o.status === 'cancelled');
    expect(await bought('L1')).toBe(4);
    expect((await order(l1)).status).toBe(201);
    expect((await order(l1)).status).toBe(422);
    expect(await bought('L1')).toBe(5);
  });

  it('refuses an order of 6 at once, and gives the units back when payment is declined after the claim', async () => {
    const l3 = await h.issuer.customer('L3');
    const big = await order(l3, 6);
    expect(big.status).toBe(422);
    expect(big.body.failure?.code).toBe('purchase-limit-exceeded');
    const declined = await order(l3, 5, 'tok_decline');
    expect(declined.status).toBe(422);
    expect(await bought('L3')).toBe(0);
    expect((await order(l3, 5)).status).toBe(201);
    expect(await bought('L3')).toBe(5);
  });

  it('counts the member\'s till sales, once per sale, against the same limit', async () => {
    const sale = await publish(h.bus, StorePurchaseRecorded, 'L4', {
      customerId: 'L4',
      saleId: 'S1:till-1',
      storeId: 'S1',
      kind: 'sale',
      lines: [{ sku: 'PROMO', qty: 3 }],
      points: 5,
      occurredAt: new Date().toISOString(),
    });
    await republish(h.bus, StorePurchaseRecorded.topic, sale);
    // A till return does not give allowance back: the limit counts what was bought.
    await publish(h.bus, StorePurchaseRecorded, 'L4', {
      customerId: 'L4',
      saleId: 'S1:till-2',
      storeId: 'S1',
      kind: 'return',
      lines: [{ sku: 'PROMO', qty: 3 }],
      points: -5,
      occurredAt: new Date().toISOString(),
    });
    await waitFor(async () => (await bought('L4')) === 3, { what: 'till sale counted' });
    const l4 = await h.issuer.customer('L4');
    const results = await Promise.all(Array.from({ length: 6 }, () => order(l4)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(await bought('L4')).toBe(5);
  });
});
