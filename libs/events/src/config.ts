import { join } from 'node:path';
import type { SASLOptions } from 'kafkajs';
import { faultOptionsFromEnv } from '@omni/store';
import { createEmbeddedBus, type EmbeddedBusOptions } from './embedded/bus';
import { createKafkaBus, type KafkaBusOptions } from './kafka/bus';
import type { Logger } from './logger';
import type { EventBus } from './port';

export type BusConfig = ({ kind: 'kafka' } & KafkaBusOptions) | ({ kind: 'embedded' } & EmbeddedBusOptions);

type Env = Record<string, string | undefined>;

const truthy = (value: string | undefined): boolean => value === 'true' || value === '1' || value === 'yes';

/**
 * Bus configuration from the environment:
 * - `KAFKA_BROKERS` (comma-separated host:port) → Kafka, with `KAFKA_CLIENT_ID` (default
 *   `OMNI_SERVICE` or `clientId`), `KAFKA_SSL=true`, `KAFKA_SASL_MECHANISM` (plain, scram-sha-256,
 *   scram-sha-512) + `KAFKA_SASL_USERNAME` + `KAFKA_SASL_PASSWORD`, `KAFKA_REPLICATION_FACTOR` for
 *   topics it creates (default: number of listed brokers, at most 3);
 * - otherwise the embedded bus, durable in `${OMNI_DATA_DIR}/events` when `OMNI_DATA_DIR` is set
 *   (memory only otherwise), `OMNI_FSYNC=true` to fsync, `OMNI_BUS_PARTITIONS` (default 8), and the
 *   `OMNI_FAULT_BUS_DOWN` fault switch (see @omni/store faults.ts).
 */
export function busConfigFromEnv(env: Env = process.env, defaults: { clientId?: string } = {}): BusConfig {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length > 0) {
    const config: BusConfig = {
      kind: 'kafka',
      brokers,
      clientId: env.KAFKA_CLIENT_ID || env.OMNI_SERVICE || defaults.clientId || 'omni',
    };
    // Explicit, never the broker default: topics created in `OMNI_TOPICS=create` mode (dev, compose)
    // get this many replicas. Default: one per listed broker, at most 3.
    if (env.KAFKA_REPLICATION_FACTOR) {
      const rf = Number(env.KAFKA_REPLICATION_FACTOR);
      if (!Number.isInteger(rf) || rf < 1)
        throw new Error(
          `KAFKA_REPLICATION_FACTOR must be a positive integer, got "${env.KAFKA_REPLICATION_FACTOR}"`,
        );
      config.replicationFactor = rf;
    } else config.replicationFactor = Math.min(3, brokers.length);
    if (truthy(env.KAFKA_SSL)) config.ssl = true;
    const sasl = saslFromEnv(env);
    if (sasl) config.sasl = sasl;
    return config;
  }
  const config: BusConfig = { kind: 'embedded' };
  const faults = faultOptionsFromEnv(env, 'bus');
  if (faults) config.faults = faults;
  if (env.OMNI_DATA_DIR) config.dir = join(env.OMNI_DATA_DIR, 'events');
  if (truthy(env.OMNI_FSYNC)) config.fsync = true;
  if (env.OMNI_BUS_PARTITIONS) {
    const partitions = Number(env.OMNI_BUS_PARTITIONS);
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new Error(`OMNI_BUS_PARTITIONS must be a positive integer, got "${env.OMNI_BUS_PARTITIONS}"`);
    }
    config.partitions = partitions;
  }
  return config;
}

function saslFromEnv(env: Env): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (!mechanism) return undefined;
  const username = env.KAFKA_SASL_USERNAME ?? '';
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  if (!username || !password)
    throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  switch (mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new Error(
        `unsupported KAFKA_SASL_MECHANISM "${mechanism}" (plain, scram-sha-256, scram-sha-512)`,
      );
  }
}

/**
 * Creates the bus described by `config`. Neither adapter connects here: the embedded one loads its
 * journal in the background, the Kafka one connects on first use, so this never throws for an
 * unreachable broker (ping() does).
 */
export function createBus(config: BusConfig, logger?: Logger): EventBus {
  if (config.kind === 'kafka') {
    const { kind: _kind, ...opts } = config;
    return createKafkaBus(logger && !opts.logger ? { ...opts, logger } : opts);
  }
  const { kind: _kind, ...opts } = config;
  return createEmbeddedBus(logger && !opts.logger ? { ...opts, logger } : opts);
}
