import { StartupError } from '@omni/store';
import { DEAD_LETTER_TOPIC } from './deadletter';
import type { EventBus } from './port';

/**
 * Who owns the topics, per environment (one owner, never a race):
 * - `create` (dev, compose, npm start; the default): each service creates the topics it produces or
 *   consumes, and the dead-letter topic `omni.deadletter`, with explicit partitions and (on Kafka)
 *   replication factor (`KAFKA_REPLICATION_FACTOR`).
 * - `verify` (production, where Strimzi KafkaTopic resources own them): services only check that
 *   every topic they need exists and refuse to start, in one line, when one is missing.
 *
 * Partitions bound a consumer group's parallelism (a partition is handled by one replica at a
 * time; replicas beyond the partition count idle). Size them from the replicas you expect:
 * `OMNI_TOPIC_PARTITIONS` (default 8) for every topic, `OMNI_TOPIC_PARTITIONS_OVERRIDES` for some,
 * e.g. `omni.inventory.stock=24,omni.orders.order=12`. Partitions can grow later, but a key may
 * then move partition (order per key only holds within one partition), so size for the peak.
 */
export interface TopicPolicy {
  mode: 'create' | 'verify';
  partitions: number;
  perTopic: Record<string, number>;
}

export const DEFAULT_TOPIC_PARTITIONS = 8;

type Env = Record<string, string | undefined>;

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

export function topicPolicyFromEnv(env: Env = process.env): TopicPolicy {
  const mode = env.OMNI_TOPICS || 'create';
  if (mode !== 'create' && mode !== 'verify')
    throw new Error(`OMNI_TOPICS must be "create" or "verify", got "${mode}"`);
  const partitions = env.OMNI_TOPIC_PARTITIONS
    ? positiveInt('OMNI_TOPIC_PARTITIONS', env.OMNI_TOPIC_PARTITIONS)
    : DEFAULT_TOPIC_PARTITIONS;
  const perTopic: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const entry of (env.OMNI_TOPIC_PARTITIONS_OVERRIDES ?? '').split(',')) {
    if (!entry.trim()) continue;
    const [topic, n] = entry.split('=').map((x) => x.trim());
    if (!topic || !n)
      throw new Error(`OMNI_TOPIC_PARTITIONS_OVERRIDES entries are topic=partitions, got "${entry}"`);
    perTopic[topic] = positiveInt(`OMNI_TOPIC_PARTITIONS_OVERRIDES (${topic})`, n);
  }
  return { mode, partitions, perTopic };
}

/**
 * Makes sure `topics` (plus the dead-letter topic) exist, as the policy says: creates them, or
 * verifies them and throws a StartupError naming every missing one.
 */
export async function prepareTopics(bus: EventBus, topics: string[], policy: TopicPolicy): Promise<void> {
  const names = [...new Set([...topics, DEAD_LETTER_TOPIC])];
  if (policy.mode === 'create') {
    await bus.ensureTopics(
      names.map((name) => ({ name, partitions: policy.perTopic[name] ?? policy.partitions })),
    );
    return;
  }
  const missing = await bus.missingTopics(names);
  if (missing.length > 0) {
    throw new StartupError(
      `OMNI_TOPICS=verify: topic${missing.length > 1 ? 's' : ''} missing on the ${bus.kind} bus: ${missing.join(', ')} — create ${missing.length > 1 ? 'them' : 'it'} (KafkaTopic resources in k8s) or run with OMNI_TOPICS=create`,
    );
  }
}
