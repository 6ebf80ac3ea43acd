import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busConfigFromEnv, createBus, EmbeddedBus, KafkaBus } from '../src';

describe('busConfigFromEnv / createBus', () => {
  it('chooses Kafka when KAFKA_BROKERS is set', () => {
    const config = busConfigFromEnv({
      KAFKA_BROKERS: 'k1:9092, k2:9092,',
      OMNI_SERVICE: 'orders',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(config).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'orders',
      replicationFactor: 2,
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    expect(busConfigFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_REPLICATION_FACTOR: '3' })).toMatchObject({
      replicationFactor: 3,
    });
    expect(() => busConfigFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_REPLICATION_FACTOR: '0' })).toThrow(
      /KAFKA_REPLICATION_FACTOR/,
    );
    const bus = createBus(config);
    expect(bus).toBeInstanceOf(KafkaBus);
    expect(bus.kind).toBe('kafka');
    expect(() => busConfigFromEnv({ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /USERNAME/,
    );
    expect(() =>
      busConfigFromEnv({
        KAFKA_BROKERS: 'k:9092',
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toThrow(/unsupported/);
  });

  it('falls back to the embedded bus, durable under OMNI_DATA_DIR/events', async () => {
    expect(busConfigFromEnv({})).toEqual({ kind: 'embedded' });
    expect(() => busConfigFromEnv({ OMNI_BUS_PARTITIONS: 'x' })).toThrow(/OMNI_BUS_PARTITIONS/);
    const dataDir = await mkdtemp(join(tmpdir(), 'omni-data-'));
    try {
      const config = busConfigFromEnv({ OMNI_DATA_DIR: dataDir, OMNI_BUS_PARTITIONS: '3' });
      expect(config).toEqual({ kind: 'embedded', dir: join(dataDir, 'events'), partitions: 3 });
      const bus = createBus(config);
      expect(bus).toBeInstanceOf(EmbeddedBus);
      await bus.publish('t', [{ key: 'k', value: 'v' }]);
      await bus.close();
      expect((await stat(join(dataDir, 'events', 'bus.journal'))).size).toBeGreaterThan(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
