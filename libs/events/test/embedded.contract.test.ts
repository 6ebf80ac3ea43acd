import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createEmbeddedBus } from '../src';
import { eventBusContract } from './contract';

describe('event-bus contract on the embedded bus (memory)', () => {
  eventBusContract({ newBus: () => createEmbeddedBus({ partitions: 4 }) });
});

describe('event-bus contract on the embedded bus (durable, data dir)', () => {
  let root = '';
  let n = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omni-bus-contract-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  eventBusContract({ newBus: () => createEmbeddedBus({ partitions: 4, dir: join(root, `bus-${n++}`) }) });
});
