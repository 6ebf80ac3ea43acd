import { Writable } from 'node:stream';
import { createEmbeddedBus, createKafkaBus } from '@omni/events';
import { createEmbeddedStore } from '@omni/store';
import { TestTokenIssuer } from '@omni/testing';
import { describe, expect, it } from 'vitest';
import { createService } from '../src';

/** The bus adapters log (Kafka errors, rebalances, crashes) through the service's own pino logger. */
describe('bus logging', () => {
  it('a bus created without a logger logs through the service that owns it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const issuer = await TestTokenIssuer.create();
    const bus = createEmbeddedBus();
    const kafka = createKafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'x' });
    for (const b of [bus, kafka]) {
      createService({
        name: 'inventory',
        store: createEmbeddedStore(),
        bus: b,
        auth: issuer.authOptions,
        logLevel: 'info',
        logDestination: destination,
        grpc: false,
      });
    }
    bus.logger.warn({ topic: 't' }, 'embedded bus says');
    (kafka as unknown as { logger: { error(o: object, m: string): void } }).logger.error({}, 'kafka says');
    await bus.close();
    await kafka.close();
    expect(lines.map((l) => [l.service, l.level, l.msg])).toEqual([
      ['inventory', 'warn', 'embedded bus says'],
      ['inventory', 'error', 'kafka says'],
    ]);
  });
});
