/**
 * A store's pickup settings and pause state. A store id is its inventory location id.
 */

export interface StoreConfig {
  /** Minutes from order arrival to promised ready time. */
  prepMinutes: number;
  /** Days a ready order is held before it counts as a no-show. */
  holdDays: number;
  /** Overdue (not yet ready past promise) tasks at which the store pauses itself. */
  overdueThreshold: number;
  /** The automatic pause lifts once overdue tasks are at or below this (hysteresis, < threshold). */
  resumeAtOrBelow: number;
  /** Wrong codes per task before it locks. */
  lockoutAttempts: number;
  /** Hours before the hold ends at which the customer is told the order is expiring. */
  expiringSoonHours: number;
}

export const DEFAULT_STORE_CONFIG: StoreConfig = {
  prepMinutes: 30,
  holdDays: 3,
  overdueThreshold: 10,
  resumeAtOrBelow: 5,
  lockoutAttempts: 5,
  expiringSoonHours: 12,
};

export interface ManualPause {
  by: string;
  reason: string;
  at: string;
}

export interface AutomaticPause {
  reason: string;
  at: string;
  overdue: number;
}

export interface StorePauseState {
  manual?: ManualPause;
  automatic?: AutomaticPause;
}

export interface PickupStore {
  _id: string;
  /** Last change-feed sequence handed out in this store. */
  seq: number;
  config: StoreConfig;
  pause: StorePauseState;
  updatedAt: string;
  [k: string]: unknown;
}

export function isPaused(p: StorePauseState): boolean {
  return p.manual !== undefined || p.automatic !== undefined;
}

/** Merges a partial update into a config; returns the problems when the result is inconsistent. */
export function mergeConfig(
  current: StoreConfig,
  patch: Partial<StoreConfig>,
): { config: StoreConfig; problems: string[] } {
  const config = { ...current, ...patch };
  // Keep hysteresis meaningful when only the threshold moves.
  if (
    patch.overdueThreshold !== undefined &&
    patch.resumeAtOrBelow === undefined &&
    config.resumeAtOrBelow >= config.overdueThreshold
  ) {
    config.resumeAtOrBelow = Math.floor(config.overdueThreshold / 2);
  }
  const problems: string[] = [];
  if (config.resumeAtOrBelow >= config.overdueThreshold) {
    problems.push(
      `resumeAtOrBelow (${config.resumeAtOrBelow}) must be below overdueThreshold (${config.overdueThreshold})`,
    );
  }
  if (config.expiringSoonHours >= config.holdDays * 24) {
    problems.push(
      `expiringSoonHours (${config.expiringSoonHours}) must be shorter than the hold (${config.holdDays * 24} h)`,
    );
  }
  return { config, problems };
}

export function promisedReadyAt(arrivedAt: Date, config: StoreConfig): Date {
  return new Date(arrivedAt.getTime() + config.prepMinutes * 60_000);
}

export function holdUntil(readyAt: Date, config: StoreConfig): Date {
  return new Date(readyAt.getTime() + config.holdDays * 24 * 3600_000);
}

export type ThrottleDecision =
  { kind: 'pause'; overdue: number } | { kind: 'resume'; overdue: number } | { kind: 'none' };

/**
 * Automatic throttling with hysteresis: pause at `overdueThreshold` overdue tasks, lift the automatic
 * pause only at or below `resumeAtOrBelow`, so a store hovering at the threshold does not flap.
 * A manual pause is the manager's; the automatic rule never lifts it.
 */
export function decideThrottle(
  pause: StorePauseState,
  overdue: number,
  config: StoreConfig,
): ThrottleDecision {
  if (pause.automatic === undefined && overdue >= config.overdueThreshold) return { kind: 'pause', overdue };
  if (pause.automatic !== undefined && overdue <= config.resumeAtOrBelow) return { kind: 'resume', overdue };
  return { kind: 'none' };
}
