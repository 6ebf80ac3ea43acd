import type { PickupCodes } from '../../domain/codes';
import { DEFAULT_STORE_CONFIG, holdUntil, type StoreConfig } from '../../domain/store';
import { attemptsLeft, isLocked, isOpen, isOverdue, type PickupTask } from '../../domain/task';

/** A task as store staff see it: no code, no hashes. */
export function staffView(t: PickupTask, now: Date) {
  return {
    taskId: t._id,
    orderId: t.orderId,
    storeId: t.storeId,
    routeAttempt: t.routeAttempt,
    reservationId: t.reservationId,
    state: t.state,
    ...(t.customerName !== undefined ? { customerName: t.customerName } : {}),
    lines: t.lines.map((l) => ({
      sku: l.sku,
      ...(l.name !== undefined ? { name: l.name } : {}),
      qty: l.qty,
      confirmedQty: l.confirmedQty,
      shortQty: l.shortQty,
    })),
    createdAt: t.createdAt,
    promisedReadyAt: t.promisedReadyAt,
    ...(t.orderPromisedAt !== undefined ? { orderPromisedAt: t.orderPromisedAt } : {}),
    overdue: isOverdue(t, now),
    storePausedAtCreation: t.storePausedAtCreation,
    locked: isLocked(t),
    attemptsLeft: attemptsLeft(t),
    ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
    ...(t.readyAt !== undefined ? { readyAt: t.readyAt } : {}),
    ...(t.holdUntil !== undefined ? { holdUntil: t.holdUntil } : {}),
    ...(t.collectedAt !== undefined
      ? { collectedAt: t.collectedAt, collectedOffline: t.collectedOffline === true }
      : {}),
    ...(t.closedAt !== undefined ? { closedAt: t.closedAt } : {}),
    ...(t.closeReason !== undefined ? { closeReason: t.closeReason } : {}),
    seq: t.seq,
  };
}
export type StaffTaskView = ReturnType<typeof staffView>;

/**
 * A task in the counter's change feed: the staff view, nothing derived from the code. Offline, the
 * counter checks the customer's signed QR with the store's public key (see the README).
 */
export function counterView(t: PickupTask, now: Date) {
  return staffView(t, now);
}

/** When a QR shown now stops being accepted: the end of the hold (or of the expected hold, before ready). */
export function qrExpiry(t: PickupTask, config: StoreConfig = DEFAULT_STORE_CONFIG): Date {
  if (t.holdUntil) return new Date(t.holdUntil);
  return holdUntil(new Date(t.promisedReadyAt), config);
}

/** What the customer sees: state, and while the task is open, the code and the signed QR payload. */
export function customerView(t: PickupTask, codes: PickupCodes, config: StoreConfig) {
  const open = isOpen(t);
  const code = open ? codes.codeFor(t._id, t.code.nonce) : null;
  return {
    orderId: t.orderId,
    taskId: t._id,
    storeId: t.storeId,
    state: t.state,
    promisedReadyAt: t.promisedReadyAt,
    ...(t.readyAt !== undefined ? { readyAt: t.readyAt } : {}),
    ...(t.holdUntil !== undefined ? { holdUntil: t.holdUntil } : {}),
    ...(t.collectedAt !== undefined ? { collectedAt: t.collectedAt } : {}),
    lines: t.lines.map((l) => ({
      sku: l.sku,
      ...(l.name !== undefined ? { name: l.name } : {}),
      qty: l.qty,
    })),
    locked: isLocked(t),
    code,
    qr:
      code === null
        ? null
        : codes.qrFor({
            taskId: t._id,
            storeId: t.storeId,
            code,
            exp: Math.floor(qrExpiry(t, config).getTime() / 1000),
          }),
  };
}
