import kafkajs, { type Consumer, type EachMessagePayload, type KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger, type DeliveredMessage } from '../src';
import { KafkaBus, KafkaSubscription } from '../src/kafka/bus';

// The redelivery / commit rules of the Kafka adapter's eachMessage, without a broker. What kafkajs
// does with the outcome is its documented contract: a resolved eachMessage resolves the offset
// (committed later), a rejected one leaves it unresolved (fetched again).

function subscription(
  handler: (m: DeliveredMessage) => Promise<void>,
  disconnect = async () => undefined,
  heartbeatIntervalMs = 3_000,
) {
  const bus = { forget: () => undefined } as unknown as KafkaBus;
  const consumer = { disconnect } as unknown as Consumer;
  return new KafkaSubscription(bus, 'g', consumer, handler, 5, silentLogger, heartbeatIntervalMs);
}

function payload(
  heartbeat: () => Promise<void> = async () => undefined,
  message: Partial<KafkaMessage> = {},
): EachMessagePayload {
  return {
    topic: 't',
    partition: 2,
    heartbeat,
    pause: () => () => undefined,
    message: {
      key: Buffer.from('order-1'),
      value: Buffer.from('{"x":1}'),
      timestamp: '0',
      attributes: 0,
      offset: '41',
      headers: {
        traceparent: Buffer.from('00-abc'),
        multi: [Buffer.from('first'), 'second'],
        none: undefined,
      },
      ...message,
    } as KafkaMessage,
  };
}

describe('Kafka adapter eachMessage', () => {
  it('heartbeats while a long handler runs (a consumer backing off through an outage is not evicted)', async () => {
    let heartbeats = 0;
    const sub = subscription(() => new Promise((resolve) => setTimeout(resolve, 200)), undefined, 20);
    await sub.eachMessage(payload(async () => void heartbeats++));
    expect(heartbeats).toBeGreaterThanOrEqual(3);
    const after = heartbeats;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(heartbeats).toBe(after); // stops with the handler
  });

  it('retries in place until the handler succeeds, heartbeating between attempts', async () => {
    const deliveries: DeliveredMessage[] = [];
    const sub = subscription(async (m) => {
      deliveries.push(m);
      if (m.attempt < 3) throw new Error('transient');
    });
    let heartbeats = 0;
    await sub.eachMessage(payload(async () => void heartbeats++));
    expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(heartbeats).toBe(2);
    expect(deliveries[0]).toEqual({
      topic: 't',
      partition: 2,
      offset: '41',
      key: 'order-1',
      value: '{"x":1}',
      headers: { traceparent: '00-abc', multi: 'first' },
      attempt: 1,
    });
  });

  it('rejects (offset stays unresolved) when closed during a retry', async () => {
    let calls = 0;
    const sub = subscription(async () => {
      calls++;
      throw new Error('down');
    });
    const processing = sub.eachMessage(payload());
    const outcome = processing.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await sub.close();
    const err = await outcome;
    expect(err).toBeInstanceOf(kafkajs.KafkaJSError);
    expect((err as { retriable: boolean }).retriable).toBe(true);
  });

  it('rejects with the rebalance error when the heartbeat reports one', async () => {
    const rebalance = new kafkajs.KafkaJSProtocolError('The group is rebalancing');
    const sub = subscription(async () => {
      throw new Error('fails');
    });
    await expect(
      sub.eachMessage(
        payload(async () => {
          throw rebalance;
        }),
      ),
    ).rejects.toBe(rebalance);
  });

  it('delivers a null key or value as an empty string', async () => {
    const deliveries: DeliveredMessage[] = [];
    const sub = subscription(async (m) => void deliveries.push(m));
    await sub.eachMessage(payload(undefined, { key: null, value: null, headers: {} }));
    expect(deliveries[0]).toMatchObject({ key: '', value: '' });
    expect(deliveries[0]?.headers).toBeUndefined();
  });
});
