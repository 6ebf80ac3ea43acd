import type { Counter, Gauge } from 'prom-client';
import type { Metrics } from '@omni/kit';

/** What ops watch on pickup (Prometheus, via the service's /metrics). */
export interface PickupMetrics {
  tasksCreated: Counter<'paused'>;
  transitions: Counter<'to'>;
  codeFailures: Counter<'reason'>;
  lockouts: Counter<string>;
  ignoredEvents: Counter<'type' | 'reason'>;
  conflicts: Counter<'kind'>;
  storesPaused: Gauge<string>;
  notifications: Counter<'kind' | 'outcome'>;
  syncOps: Counter<'type' | 'outcome'>;
}

export function pickupMetrics(m: Metrics): PickupMetrics {
  return {
    tasksCreated: m.counter(
      'pickup_tasks_created_total',
      'Pickup tasks created, by whether the store was paused',
      ['paused'],
    ),
    transitions: m.counter('pickup_task_transitions_total', 'Pickup task state changes by target state', [
      'to',
    ]),
    codeFailures: m.counter('pickup_code_failures_total', 'Rejected pickup codes / QR payloads by reason', [
      'reason',
    ]),
    lockouts: m.counter('pickup_task_lockouts_total', 'Tasks locked after too many wrong codes'),
    ignoredEvents: m.counter(
      'pickup_events_ignored_total',
      'Order events without effect (duplicate, stale, tombstoned)',
      ['type', 'reason'],
    ),
    conflicts: m.counter('pickup_conflicts_total', 'Conflicts recorded for ops, by kind', ['kind']),
    storesPaused: m.gauge('pickup_stores_paused', 'Stores currently paused for new pickup orders'),
    notifications: m.counter('pickup_notifications_total', 'Customer notifications by kind and outcome', [
      'kind',
      'outcome',
    ]),
    syncOps: m.counter('pickup_sync_ops_total', 'Offline counter actions by type and outcome', [
      'type',
      'outcome',
    ]),
  };
}
