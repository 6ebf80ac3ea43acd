import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { skewedClock } from '@omni/kit';
import type { Subscription } from '@omni/events';
import type { FaultSwitch } from '@omni/store';
import { seedDemo, startReplicaBed, type ReplicaBed } from '../../src';
import { api } from '../../src/demo/client';
import {
  deliveryStory,
  getOrder,
  lateSyncStory,
  pickupStory,
  skusInStock,
  type DemoContext,
} from '../../src/demo/flows';

/**
 * The replica bed made as unkind as production: every service's store loses write conflicts at a
 * rate (as MongoDB transactions do under contention), each replica's clock is skewed differently,
 * and mid-flow the stores of orders and pickup and then the bus go down for a while. The O2O flows
 * must still complete, nothing may be dead-lettered (transient is not poison), stock must not be
 * oversold and the ledger must replay to the levels.
 */
let bed: ReplicaBed;
let ctx: DemoContext;
let ops: string;
let deadLetters: unknown[];
let dlq: Subscription;

// Per write inside a transaction; switched on after seeding (the seed's large transactions would
// need hundreds of attempts at this rate, as they would on a contended MongoDB).
const CONFLICT_RATE = 0.1;
const FAULTY = ['inventory', 'orders', 'pickup', 'dispatch', 'customers'] as const;
// Replica 0 on time, 1 behind, 2 ahead: leases, TTLs and SLA timers must not depend on agreement.
const SKEW_MS = [0, -700, 900];

beforeAll(async () => {
  bed = await startReplicaBed({
    fastTimers: true,
    adapters: {
      store: Object.fromEntries(FAULTY.map((name, i) => [name, { faults: { seed: 11 + i } }])),
      clock: (_name, replica) => skewedClock(SKEW_MS[replica] ?? 0),
    },
  });
  const demo = await seedDemo(bed.seedTarget);
  ctx = {
    urls: bed.urls,
    timelineUrl: bed.timelineUrl,
    tokens: demo.identity.tokens,
    customers: demo.customers,
    log: () => undefined,
  };
  ops = demo.identity.tokens.ops!;
  for (const name of FAULTY) faultsOf(name).conflictRate = CONFLICT_RATE;
  deadLetters = [];
  dlq = await bed.bus.subscribe({
    group: `test-dead-letters-${randomUUID()}`,
    topics: ['omni.deadletter'],
    fromBeginning: true,
    handler: async (msg) => {
      deadLetters.push(msg);
    },
  });
}, 120_000);
afterAll(async () => {
  await dlq?.close();
  await bed?.stop();
});

function faultsOf(name: (typeof FAULTY)[number]): FaultSwitch {
  return (bed.stores[name] as unknown as { faults: FaultSwitch }).faults;
}

describe('O2O flows on 3 replicas under write conflicts, clock skew and outages', () => {
  it('pickup, delivery and a late POS sale complete while stores and then the bus go down mid-flow', async () => {
    const flows = Promise.all([pickupStory(ctx, 'S04'), deliveryStory(ctx), lateSyncStory(ctx, 'S05')]);
    // Outages while the flows are in flight: requests meet 503 + Retry-After and are retried under
    // the same Idempotency-Key; consumers pause their partitions and retry until the store is back.
    await new Promise((r) => setTimeout(r, 300));
    faultsOf('orders').down(1_500);
    faultsOf('pickup').down(1_500);
    await new Promise((r) => setTimeout(r, 2_000));
    bed.bus.faults.down(1_000);
    const [pickedUp, delivered, rerouted] = await flows;

    expect((await getOrder(ctx, pickedUp)).status).toBe('collected');
    expect((await getOrder(ctx, delivered)).status).toBe('delivered');
    const late = await getOrder(ctx, rerouted);
    expect(late.status).toBe('confirmed');
    expect(late.route?.locationId).not.toBe('S05');
    // Transient is not poison: the outages and conflicts sent nothing to the dead-letter topic.
    expect(deadLetters).toEqual([]);
  });

  it('parallel reservations of a hot SKU under write conflicts: exactly the stock, no 5xx', async () => {
    const [hot] = await skusInStock(ctx, 'S07', 3, 40, 1);
    const available = hot!.available;
    const results = await Promise.all(
      Array.from({ length: available * 3 }, async () => {
        const res = await fetch(`${bed.urls.inventory}/v1/reservations`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${ops}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({ locationId: 'S07', lines: [{ sku: hot!.sku, qty: 1 }], ttlSeconds: 600 }),
        });
        return res.status;
      }),
    );
    expect(results.filter((s) => s === 201).length).toBe(available);
    // The conflicts were real: transactions lost and were retried, in inventory and along the flows.
    expect(faultsOf('inventory').injectedConflicts).toBeGreaterThan(0);
    expect(faultsOf('orders').injectedConflicts).toBeGreaterThan(0);
    expect(results.filter((s) => s !== 201 && s !== 422)).toEqual([]);
  });

  it('the ledger replays to exactly the stock levels after all of it', async () => {
    const report = await api<{ differences: unknown[] }>('POST', `${bed.urls.inventory}/v1/ops/reconcile`, {
      token: ops,
      body: {},
    });
    expect(report.differences).toEqual([]);
    expect(deadLetters).toEqual([]);
  });
});
