import { StartupError } from '@omni/store';
import { describe, expect, it } from 'vitest';
import { createEmbeddedBus, DEAD_LETTER_TOPIC, prepareTopics, topicPolicyFromEnv } from '../src';

describe('topic ownership', () => {
  it('reads the policy from the environment: create by default, partitions per topic, verify for production', () => {
    expect(topicPolicyFromEnv({})).toEqual({ mode: 'create', partitions: 8, perTopic: {} });
    expect(
      topicPolicyFromEnv({
        OMNI_TOPICS: 'verify',
        OMNI_TOPIC_PARTITIONS: '12',
        OMNI_TOPIC_PARTITIONS_OVERRIDES: 'omni.inventory.stock=24, omni.orders.order=16',
      }),
    ).toEqual({
      mode: 'verify',
      partitions: 12,
      perTopic: { 'omni.inventory.stock': 24, 'omni.orders.order': 16 },
    });
    expect(() => topicPolicyFromEnv({ OMNI_TOPICS: 'maybe' })).toThrow(/OMNI_TOPICS/);
    expect(() => topicPolicyFromEnv({ OMNI_TOPIC_PARTITIONS: '0' })).toThrow(/OMNI_TOPIC_PARTITIONS/);
    expect(() => topicPolicyFromEnv({ OMNI_TOPIC_PARTITIONS_OVERRIDES: 'a' })).toThrow(/topic=partitions/);
  });

  it('creates the topics and the dead-letter topic with their partitions, or verifies and names what is missing', async () => {
    const bus = createEmbeddedBus();
    try {
      await expect(
        prepareTopics(bus, ['omni.a', 'omni.b'], { mode: 'verify', partitions: 8, perTopic: {} }),
      ).rejects.toThrow(
        new StartupError(
          `OMNI_TOPICS=verify: topics missing on the embedded bus: omni.a, omni.b, ${DEAD_LETTER_TOPIC} — create them (KafkaTopic resources in k8s) or run with OMNI_TOPICS=create`,
        ),
      );
      await prepareTopics(bus, ['omni.a', 'omni.b'], {
        mode: 'create',
        partitions: 3,
        perTopic: { 'omni.b': 5 },
      });
      expect(await bus.missingTopics(['omni.a', 'omni.b', DEAD_LETTER_TOPIC, 'omni.c'])).toEqual(['omni.c']);
      await prepareTopics(bus, ['omni.a', 'omni.b'], { mode: 'verify', partitions: 8, perTopic: {} });
      const sub = await bus.subscribe({
        group: 'g',
        topics: ['omni.a', 'omni.b'],
        handler: async () => undefined,
      });
      const partitions = (await bus.lag()).reduce<Record<string, number>>(
        (acc, l) => ({ ...acc, [l.topic]: (acc[l.topic] ?? 0) + 1 }),
        {},
      );
      expect(partitions).toEqual({ 'omni.a': 3, 'omni.b': 5 });
      await sub.close();
    } finally {
      await bus.close();
    }
  });
});
