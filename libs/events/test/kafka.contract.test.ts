import { existsSync } from 'node:fs';
import { KafkaContainer, type StartedKafkaContainer } from '@testcontainers/kafka';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKafkaBus } from '../src';
import { eventBusContract, type ContractTarget } from './contract';

// Runs the same contract as the embedded bus against a real broker: KAFKA_BROKERS if set, else a
// Kafka container when Docker is reachable; otherwise every contract test is reported as skipped.
const brokersFromEnv = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const dockerAvailable = existsSync('/var/run/docker.sock') || Boolean(process.env.DOCKER_HOST);

let brokers: string[] = brokersFromEnv;
const target: ContractTarget = {
  newBus: () => createKafkaBus({ brokers, clientId: 'omni-contract', sessionTimeoutMs: 10_000 }),
  // Group joins settle asynchronously on a real broker.
  settleMs: 1_000,
  timeoutMs: 45_000,
};

if (brokersFromEnv.length === 0 && !dockerAvailable) {
  describe.skip('event-bus contract on Kafka (skipped: set KAFKA_BROKERS or run Docker)', () => {
    eventBusContract(target);
  });
} else {
  describe('event-bus contract on Kafka', () => {
    let container: StartedKafkaContainer | undefined;
    beforeAll(async () => {
      if (brokers.length > 0) return;
      container = await new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start();
      brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
    }, 240_000);
    afterAll(async () => {
      await container?.stop();
    });
    eventBusContract(target);
  });
}
