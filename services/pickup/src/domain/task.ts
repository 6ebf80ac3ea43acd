import type { OfflineVerifier } from './codes';

/**
 * A pickup task: one order's lines to pick in one store, and the hand-over against a pickup code.
 *
 *   queued ─start→ picking ─ready→ ready ─collect→ collected
 *     │              │               └──expire (no-show)→ expired
 *     └────short─────┴→ short
 *   queued | picking | ready | short ─(order cancelled)→ cancelled
 *   queued | picking | ready | short ─(order re-routed)→ rerouted
 *
 * `collected`, `expired`, `cancelled`, `rerouted` are final. A locked task (too many wrong codes) is
 * still `ready`; the lock is a flag that a manager lifts.
 */
export const TASK_STATES = [
  'queued',
  'picking',
  'ready',
  'short',
  'collected',
  'expired',
  'cancelled',
  'rerouted',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States in the store's working queue, with a live pickup code. */
export const OPEN_STATES: readonly TaskState[] = ['queued', 'picking', 'ready'];
/** States that count toward the store's overdue backlog (not yet ready). */
export const PREPARING_STATES: readonly TaskState[] = ['queued', 'picking'];
/** States an order cancellation or re-route still has to stop. */
export const VOIDABLE_STATES: readonly TaskState[] = ['queued', 'picking', 'ready', 'short'];

export type TaskAction =
  | 'start'
  | 'confirm-line'
  | 'ready'
  | 'short'
  | 'collect'
  | 'collect-offline'
  | 'expire'
  | 'cancel'
  | 'reroute'
  | 'unlock';

export const TRANSITIONS: Record<TaskAction, { from: readonly TaskState[]; to: TaskState | null }> = {
  start: { from: ['queued'], to: 'picking' },
  'confirm-line': { from: ['picking'], to: null },
  ready: { from: ['picking'], to: 'ready' },
  short: { from: ['queued', 'picking'], to: 'short' },
  collect: { from: ['ready'], to: 'collected' },
  // An offline counter already handed the goods over against a verified code: a fact to record even
  // if the ready step never reached the server.
  'collect-offline': { from: OPEN_STATES, to: 'collected' },
  expire: { from: ['ready'], to: 'expired' },
  cancel: { from: VOIDABLE_STATES, to: 'cancelled' },
  reroute: { from: VOIDABLE_STATES, to: 'rerouted' },
  unlock: { from: OPEN_STATES, to: null },
};

export function canApply(action: TaskAction, state: TaskState): boolean {
  return TRANSITIONS[action].from.includes(state);
}

export interface TaskLine {
  sku: string;
  name?: string;
  qty: number;
  confirmedQty: number;
  shortQty: number;
}

export interface TaskCode {
  nonce: string;
  hash: string;
  /** Legacy PBKDF2 verifier (removed at start; never served). */
  offline?: OfflineVerifier;
}

export interface PickupTask {
  _id: string;
  orderId: string;
  storeId: string;
  routeAttempt: number;
  reservationId: string;
  customerId?: string;
  customerName?: string;
  lines: TaskLine[];
  state: TaskState;
  createdAt: string;
  updatedAt: string;
  /** The store's promise: created + preparation time. */
  promisedReadyAt: string;
  /** What orders promised the customer, if it said. */
  orderPromisedAt?: string;
  startedAt?: string;
  readyAt?: string;
  holdUntil?: string;
  closedAt?: string;
  collectedAt?: string;
  collectedOffline?: boolean;
  closeReason?: string;
  code: TaskCode;
  failedAttempts: number;
  /** Wrong codes allowed before the lock, fixed at creation from the store config. */
  attemptLimit: number;
  lockedAt?: string;
  /** The store was paused when the order arrived (it was already routed there). */
  storePausedAtCreation: boolean;
  expiringNotifiedAt?: string;
  /** Store change-feed sequence of the last change (offline counter sync). */
  seq: number;
  [k: string]: unknown;
}

export function isOpen(t: Pick<PickupTask, 'state'>): boolean {
  return OPEN_STATES.includes(t.state);
}

export function isLocked(t: Pick<PickupTask, 'failedAttempts' | 'attemptLimit'>): boolean {
  return t.failedAttempts >= t.attemptLimit;
}

export function attemptsLeft(t: Pick<PickupTask, 'failedAttempts' | 'attemptLimit'>): number {
  return Math.max(0, t.attemptLimit - t.failedAttempts);
}

/** Not ready although its promised time has passed. */
export function isOverdue(t: Pick<PickupTask, 'state' | 'promisedReadyAt'>, now: Date): boolean {
  return PREPARING_STATES.includes(t.state) && Date.parse(t.promisedReadyAt) < now.getTime();
}

/** Order lines → task lines, one per SKU (duplicates summed, so a scan maps to exactly one line). */
export function toTaskLines(lines: ReadonlyArray<{ sku: string; qty: number; name?: string }>): TaskLine[] {
  const bySku = new Map<string, TaskLine>();
  for (const l of lines) {
    const existing = bySku.get(l.sku);
    if (existing) existing.qty += l.qty;
    else
      bySku.set(l.sku, {
        sku: l.sku,
        ...(l.name !== undefined ? { name: l.name } : {}),
        qty: l.qty,
        confirmedQty: 0,
        shortQty: 0,
      });
  }
  return [...bySku.values()];
}

export function unconfirmedLines(t: Pick<PickupTask, 'lines'>): Array<{ sku: string; missing: number }> {
  return t.lines
    .filter((l) => l.confirmedQty < l.qty)
    .map((l) => ({ sku: l.sku, missing: l.qty - l.confirmedQty }));
}

export type LineCheck<T> = { ok: true; value: T } | { ok: false; slug: string; detail: string };

/** A scan of `qty` units of `sku`: index of the line, if the ordered quantity allows it. */
export function checkConfirm(
  t: Pick<PickupTask, 'lines'>,
  sku: string,
  qty: number,
): LineCheck<{ index: number; line: TaskLine }> {
  const index = t.lines.findIndex((l) => l.sku === sku);
  const line = t.lines[index];
  if (!line)
    return { ok: false, slug: 'sku-not-in-task', detail: `SKU ${sku} is not part of this pickup task` };
  if (line.confirmedQty + qty > line.qty) {
    return {
      ok: false,
      slug: 'qty-exceeds-ordered',
      detail: `SKU ${sku}: ${line.confirmedQty} of ${line.qty} already confirmed, cannot confirm ${qty} more`,
    };
  }
  return { ok: true, value: { index, line } };
}

/** A short pick report: each SKU in the task, missing qty between 1 and the ordered qty. */
export function checkShort(
  t: Pick<PickupTask, 'lines'>,
  shortLines: ReadonlyArray<{ sku: string; qty: number }>,
): LineCheck<Array<{ sku: string; qty: number }>> {
  const merged = new Map<string, number>();
  for (const s of shortLines) merged.set(s.sku, (merged.get(s.sku) ?? 0) + s.qty);
  if (merged.size === 0) return { ok: false, slug: 'no-short-lines', detail: 'name at least one short line' };
  for (const [sku, qty] of merged) {
    const line = t.lines.find((l) => l.sku === sku);
    if (!line)
      return { ok: false, slug: 'sku-not-in-task', detail: `SKU ${sku} is not part of this pickup task` };
    if (qty < 1 || qty > line.qty) {
      return {
        ok: false,
        slug: 'short-qty-out-of-range',
        detail: `SKU ${sku}: short qty must be 1..${line.qty}, got ${qty}`,
      };
    }
  }
  return { ok: true, value: [...merged].map(([sku, qty]) => ({ sku, qty })) };
}
