/**
 * The event contracts of Omni: one module per producing service. Producers register what they
 * publish, consumers what they handle (`registry.produces(...)`, `registry.consumes(...)`); payloads
 * are validated on both sides and the AsyncAPI document is generated from these definitions.
 */
export * as common from './common';
export * from './common';
export * from './catalog';
export * from './inventory';
export * from './customers';
export * from './orders';
export * from './pickup';
export * from './dispatch';
export * from './identity';
export * from './vouchers';

import { catalogEvents } from './catalog';
import { inventoryEvents } from './inventory';
import { customerEvents } from './customers';
import { orderEvents } from './orders';
import { pickupEvents } from './pickup';
import { dispatchEvents } from './dispatch';
import { identityEvents } from './identity';
import { voucherEvents } from './vouchers';

export const allEvents = [
  ...catalogEvents,
  ...inventoryEvents,
  ...customerEvents,
  ...orderEvents,
  ...pickupEvents,
  ...dispatchEvents,
  ...identityEvents,
  ...voucherEvents,
];

/** Topics and their partition counts (used by ensureTopics, the Kafka topic list and k8s KafkaTopics). */
export const TOPICS = [...new Set(allEvents.map((e) => e.topic))].map((name) => ({ name, partitions: 8 }));
