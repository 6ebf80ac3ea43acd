/**
 * Hooks for metrics. The service kit implements them with prom-client; this library stays free of
 * any metrics dependency. Every method must be cheap and must not throw.
 */
export type ConsumeOutcome = 'ok' | 'duplicate' | 'retry' | 'dead-lettered' | 'skipped';

export interface EventsObserver {
  /** `n` messages were acknowledged by the bus on `topic` (outbox relay). */
  published(topic: string, n: number): void;
  /**
   * One delivery was handled by a consumer of `group`: `ok` applied, `duplicate` already in the
   * inbox, `retry` handler failed and will be redelivered, `dead-lettered` given up, `skipped`
   * type not handled by this consumer. `ms` is the handling time.
   */
  consumed(group: string, type: string, outcome: ConsumeOutcome, ms: number): void;
  /** Age of the oldest event in a batch the outbox relay just published (commit → publish delay). */
  relayLag(ms: number): void;
  /**
   * A consumer of `group` is retrying the message at the head of `topic`/`partition` after a
   * transient failure (store or broker unavailable, conflict, timeout); the partition has been
   * stalled for `stalledMs`. Alert on it: nothing behind that message moves meanwhile.
   */
  retrying?(group: string, topic: string, partition: number, stalledMs: number): void;
  /** The stalled partition moved again (the message was applied, or handed to another member). */
  recovered?(group: string, topic: string, partition: number): void;
  /** The outbox relay parked a row the bus will never accept (too large, not authorised, invalid). */
  parked?(topic: string, reason: string): void;
}

const noop = (): void => {};

export const noopObserver: EventsObserver = { published: noop, consumed: noop, relayLag: noop };
