import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelled } from '@omni/contracts';
import { waitFor } from '@omni/testing';
import type { CustomerNotification } from '../src';
import { customerCode, DAY, readyTask, startPickup, type Harness } from './helpers';

const sent: CustomerNotification[] = [];
let h: Harness;
beforeAll(async () => {
  h = await startPickup({
    notifier: { name: 'memory', send: async (n) => void sent.push(n) },
    timings: { sweepIntervalMs: 50, notifyIntervalMs: 50 },
  });
});
afterAll(async () => h?.stop());

describe('pickup service runtime', () => {
  it('runs expiry and notification delivery on its own timers', async () => {
    const task = await readyTask(h, 'store-rt');
    await waitFor(() => sent.find((n) => n.taskId === task._id && n.kind === 'ready'), {
      what: 'ready notification',
    });
    h.clock.advance(3 * DAY);
    await h.waitTask(task.orderId, (t) => t.state === 'expired');
    await h.waitEvent('omni.pickup.task.expired.v1', (e) => e.subject === task.orderId);
  });

  it('a cancellation racing 20 collects: either collected (then a conflict for ops) or cancelled, never both silently', async () => {
    for (let round = 0; round < 3; round++) {
      const task = await readyTask(h, 'store-race');
      const { code } = await customerCode(h, task);
      const api = await h.staff('store-race');
      const [results] = await Promise.all([
        Promise.all(
          Array.from({ length: 20 }, () =>
            api.post(`/v1/stores/store-race/pickup/tasks/${task._id}/collect`, { code }),
          ),
        ),
        h.publish(OrderCancelled, task.orderId, { orderId: task.orderId, reason: 'race' }),
      ]);
      await h.drained();
      const final = await h.taskOf(task.orderId);
      const ok = results.filter((r) => r.status === 200).length;
      expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
      const conflicts = await h.svc.store.collection('pickup_conflicts').find({ taskId: task._id });
      if (final?.state === 'collected') {
        expect(ok).toBe(1);
        expect(conflicts.map((c) => c.kind)).toEqual(['cancelled-after-collected']);
      } else {
        expect(final?.state).toBe('cancelled');
        expect(ok).toBe(0);
        expect(conflicts).toHaveLength(0);
      }
    }
  });

  it('replays a collect sent again with the same Idempotency-Key', async () => {
    const task = await readyTask(h, 'store-idem');
    const { code } = await customerCode(h, task);
    const api = await h.staff('store-idem');
    const headers = { 'idempotency-key': `collect-${task._id}` };
    const first = await api.post(
      `/v1/stores/store-idem/pickup/tasks/${task._id}/collect`,
      { code },
      { headers },
    );
    const second = await api.post(
      `/v1/stores/store-idem/pickup/tasks/${task._id}/collect`,
      { code },
      { headers },
    );
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('documents its routes in OpenAPI, secured', async () => {
    const spec = await h
      .api()
      .get<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>('/docs/json');
    expect(spec.status).toBe(200);
    for (const [path, method] of [
      ['/v1/orders/{orderId}/pickup', 'get'],
      ['/v1/stores/{storeId}/pickup/tasks', 'get'],
      ['/v1/stores/{storeId}/pickup/tasks/{taskId}/collect', 'post'],
      ['/v1/stores/{storeId}/pickup/changes', 'get'],
      ['/v1/stores/{storeId}/pickup/actions', 'post'],
      ['/v1/ops/pickup/conflicts', 'get'],
    ] as const) {
      expect(spec.body.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
    }
    const metrics = await h.api().get('/metrics');
    expect(String(metrics.body)).toContain('pickup_tasks_created_total');
  });
});
