/**
 * Pickup throughput on the embedded adapters (run: `npx tsx services/pickup/test/bench.ts [n]`).
 * Measures: OrderConfirmed → task (consumer + code issue + outbox), staff HTTP steps, hand-over
 * latency under parallel load. Not a test: numbers depend on the machine.
 */
import { OrderConfirmed } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import type { PickupTask } from '../src/domain/task';
import { confirmedData, customerCode, startPickup } from './helpers';

const n = Number(process.argv[2] ?? 500);
const h = await startPickup();
const store = 'bench-store';
const tasks = h.svc.store.collection<PickupTask>('pickup_tasks');

let t = performance.now();
await Promise.all(
  Array.from({ length: n }, (_, i) =>
    h.publish(OrderConfirmed, `bench-${i}`, confirmedData(`bench-${i}`, store)),
  ),
);
await waitFor(async () => (await tasks.countDocuments({ storeId: store })) === n || undefined, {
  timeoutMs: 120_000,
});
const createMs = performance.now() - t;

const api = await h.staff(store);
const all = await tasks.find({ storeId: store });
t = performance.now();
const concurrency = 32;
for (let i = 0; i < all.length; i += concurrency) {
  await Promise.all(
    all.slice(i, i + concurrency).map(async (task) => {
      const base = `/v1/stores/${store}/pickup/tasks/${task._id}`;
      await api.post(`${base}/start`);
      await api.post(`${base}/lines`, { sku: 'SKU-A', qty: 2 });
      await api.post(`${base}/lines`, { sku: 'SKU-B', qty: 1 });
      await api.post(`${base}/ready`);
    }),
  );
}
const pickMs = performance.now() - t;

const codes = await Promise.all(
  all.map(async (task) => ({ id: task._id, code: (await customerCode(h, task)).code })),
);
const latencies: number[] = [];
t = performance.now();
for (let i = 0; i < codes.length; i += concurrency) {
  await Promise.all(
    codes.slice(i, i + concurrency).map(async ({ id, code }) => {
      const s = performance.now();
      const res = await api.post(`/v1/stores/${store}/pickup/tasks/${id}/collect`, { code });
      if (res.status !== 200) throw new Error(`collect ${res.status}`);
      latencies.push(performance.now() - s);
    }),
  );
}
const collectMs = performance.now() - t;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(
  JSON.stringify({
    tasks: n,
    createPerSec: Math.round((n / createMs) * 1000),
    pickStepsPerSec: Math.round(((n * 4) / pickMs) * 1000),
    collectsPerSec: Math.round((n / collectMs) * 1000),
    collectLatencyMs: { p50: pct(50), p99: pct(99), concurrency },
  }),
);
await h.stop();
