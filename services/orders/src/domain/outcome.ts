import type { EventData, EventDefinition } from '@omni/events';
import type { OrderDoc } from './types';

/** An event to publish with a state change (same transaction, via the outbox). */
export interface PendingEvent {
  def: EventDefinition;
  data: unknown;
  /** Partition key; default the order id. */
  subject?: string;
}

export function emit<D extends EventDefinition>(def: D, data: EventData<D>, subject?: string): PendingEvent {
  return { def, data, ...(subject !== undefined ? { subject } : {}) };
}

/** The new state of an order and the events that announce it. */
export interface Outcome {
  order: OrderDoc;
  events?: PendingEvent[];
}
