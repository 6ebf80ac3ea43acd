import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '@omni/events';
import { ReturnReceived } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import { levelOf, seedDemo, startInventory, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startInventory();
  await seedDemo(h, [{ sku: 'COAT', locationId: 'S1', onHand: 4 }]);
});
afterAll(async () => h?.stop());

const publishReturn = (
  returnId: string,
  lines: Array<{ sku: string; qty: number; disposition?: 'restock' | 'write_off' }>,
  locationId = 'S1',
) => {
  const event = createEvent(ReturnReceived, {
    source: '/omni/orders',
    subject: 'ord-1',
    data: { returnId, orderId: 'ord-1', locationId, lines },
  });
  return {
    event,
    publish: () => h.deps.bus.publish(ReturnReceived.topic, [{ key: 'ord-1', value: JSON.stringify(event) }]),
  };
};

describe('returns announced by orders', () => {
  it('restocks `restock` lines, records `write_off` lines without adding stock, once per return', async () => {
    const r = publishReturn('ret-1', [
      { sku: 'COAT', qty: 2, disposition: 'restock' },
      { sku: 'COAT', qty: 1, disposition: 'write_off' },
    ]);
    await r.publish();
    await waitFor(async () => (await levelOf(h, 'COAT', 'S1'))?.onHand === 6, {
      what: 'COAT restocked at S1',
    });
    // Redelivered, and the same return announced again under a new event id: nothing more.
    await r.publish();
    await publishReturn('ret-1', [
      { sku: 'COAT', qty: 2, disposition: 'restock' },
      { sku: 'COAT', qty: 1, disposition: 'write_off' },
    ]).publish();
    await new Promise((res) => setTimeout(res, 300));
    expect((await levelOf(h, 'COAT', 'S1'))?.onHand).toBe(6);
    const movements = await h.ops.get<{ items: Array<{ reason: string; qty: number; onHandDelta: number }> }>(
      '/v1/movements?sku=COAT&locationId=S1&limit=50',
    );
    const fromReturn = movements.body.items.filter((m) => m.reason === 'return' || m.reason === 'qc-fail');
    expect(fromReturn.map((m) => [m.reason, m.qty, m.onHandDelta]).sort()).toEqual([
      ['qc-fail', 1, 0],
      ['return', 2, 2],
    ]);
    const report = await h.ops.post<{ differences: unknown[] }>('/v1/ops/reconcile', {});
    expect(report.body.differences).toEqual([]);
  });

  it('ignores a return at a location inventory does not know, without failing the consumer', async () => {
    await publishReturn('ret-2', [{ sku: 'COAT', qty: 1 }], 'NOWHERE').publish();
    const next = publishReturn('ret-3', [{ sku: 'COAT', qty: 1 }]);
    await next.publish();
    await waitFor(async () => (await levelOf(h, 'COAT', 'S1'))?.onHand === 7, {
      what: 'the next return still processed',
    });
  });
});
