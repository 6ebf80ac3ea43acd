import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BusClosedError,
  createEmbeddedBus,
  partitionForKey,
  type DeliveredMessage,
  type EmbeddedBus,
} from '../src';
import { waitFor } from './helpers';

let dir = '';
const open: EmbeddedBus[] = [];
function bus(opts: Parameters<typeof createEmbeddedBus>[0] = {}): EmbeddedBus {
  const b = createEmbeddedBus({ partitions: 4, ...opts });
  open.push(b);
  return b;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-bus-'));
});
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  await rm(dir, { recursive: true, force: true });
});

const messages = (key: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ key, value: `${key}:${from + i}` }));

describe('embedded bus durability', () => {
  it('keeps the log and committed offsets across a restart', async () => {
    const first = bus({ dir });
    const seen: string[] = [];
    const sub = await first.subscribe({
      group: 'g',
      topics: ['t'],
      handler: async (m) => void seen.push(m.value),
    });
    await first.publish('t', [...messages('a', 0, 5), ...messages('b', 0, 5)]);
    await waitFor('10 messages', () => seen.length === 10);
    await sub.close();
    await first.publish('t', messages('a', 5, 8)); // published while the group is away
    await first.close();

    const second = bus({ dir });
    const resumed: string[] = [];
    const everything: string[] = [];
    await second.subscribe({ group: 'g', topics: ['t'], handler: async (m) => void resumed.push(m.value) });
    await second.subscribe({
      group: 'new',
      topics: ['t'],
      handler: async (m) => void everything.push(m.value),
    });
    await waitFor('the rest and the full log', () => resumed.length >= 3 && everything.length >= 13);
    expect(resumed).toEqual(['a:5', 'a:6', 'a:7']);
    expect(everything.filter((v) => v.startsWith('a:'))).toEqual(messages('a', 0, 8).map((m) => m.value));
    expect(everything).toHaveLength(13);
    // Offsets continue where they were.
    await second.publish('t', messages('a', 8, 9));
    await waitFor('a:8', () => resumed.includes('a:8'));
  });

  it('loses no acknowledged record when the process dies without close()', async () => {
    const first = bus({ dir });
    await first.publish('t', messages('k', 0, 3));
    // Simulate a crash: the journal is never closed or compacted; reopen the same directory.
    open.splice(open.indexOf(first), 1);
    const second = bus({ dir });
    const seen: string[] = [];
    await second.subscribe({ group: 'g', topics: ['t'], handler: async (m) => void seen.push(m.value) });
    await waitFor('3 messages', () => seen.length === 3);
    expect(seen).toEqual(['k:0', 'k:1', 'k:2']);
    open.push(first); // closed after the second (afterEach), so the test leaks no file handle
  });

  it('compacts the journal: consumed records beyond the retention are gone after reopen', async () => {
    const first = bus({ dir, retainRecords: 10 });
    let consumed = 0;
    await first.subscribe({ group: 'g', topics: ['t'], handler: async () => void consumed++ });
    for (let i = 0; i < 20; i++) await first.publish('t', messages('k', i * 50, i * 50 + 50));
    await waitFor('1000 consumed', () => consumed === 1000);
    await first.close();
    const journal = join(dir, 'bus.journal');
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    const records = lines.filter((l) => l.includes('"t":"m"'));
    expect(records.length).toBeLessThanOrEqual(10 + 256); // retained + amortisation slack
    expect((await stat(journal)).size).toBeLessThan(40_000);

    // A new group still sees the retained tail, with the original offsets.
    const second = bus({ dir, retainRecords: 10 });
    const tail: DeliveredMessage[] = [];
    await second.subscribe({ group: 'late', topics: ['t'], handler: async (m) => void tail.push(m) });
    await waitFor('the retained tail', () => tail.length === records.length);
    expect(tail.at(-1)?.value).toBe('k:999');
    expect(tail.at(-1)?.offset).toBe('999');
  });
});

describe('embedded bus retention', () => {
  it('drops only what every group committed, keeps the rest for a slow group', async () => {
    const b = bus({ retainRecords: 100 });
    let fast = 0;
    await b.subscribe({ group: 'fast', topics: ['t'], handler: async () => void fast++ });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await b.subscribe({ group: 'slow', topics: ['t'], handler: () => gate });
    for (let i = 0; i < 10; i++) await b.publish('t', messages('k', i * 100, i * 100 + 100));
    await waitFor('fast group done', () => fast === 1000);
    const lag = await b.lag();
    // The slow group holds its first message: everything after it is still there for it.
    expect(lag.find((l) => l.group === 'slow' && l.partition === partitionForKey('k', 4))?.lag).toBe(1000);
    release();
  });

  it('caps a partition at maxRecords even if a group lags', async () => {
    const b = bus({ retainRecords: 10, maxRecords: 100 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await b.subscribe({ group: 'stuck', topics: ['t'], handler: () => gate });
    for (let i = 0; i < 10; i++) await b.publish('t', messages('k', i * 100, i * 100 + 100));
    const lag = (await b.lag()).find((l) => l.group === 'stuck' && l.partition === partitionForKey('k', 4));
    expect(lag?.lag).toBeGreaterThanOrEqual(100);
    expect(lag?.lag).toBeLessThanOrEqual(100 + 256);
    release();
  });
});

describe('embedded bus groups', () => {
  it('moves partitions to the remaining member when one leaves, without double delivery', async () => {
    const b = bus();
    const byMember: [string[], string[]] = [[], []];
    const s1 = await b.subscribe({
      group: 'g',
      topics: ['t'],
      handler: async (m) => void byMember[0].push(m.value),
    });
    await b.subscribe({ group: 'g', topics: ['t'], handler: async (m) => void byMember[1].push(m.value) });
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await b.publish(
      't',
      keys.flatMap((k) => messages(k, 0, 5)),
    );
    await waitFor('100 messages', () => byMember[0].length + byMember[1].length === 100);
    expect(byMember[0].length).toBeGreaterThan(0);
    expect(byMember[1].length).toBeGreaterThan(0);
    await s1.close();
    await b.publish(
      't',
      keys.flatMap((k) => messages(k, 5, 10)),
    );
    await waitFor('all 200', () => byMember[0].length + byMember[1].length === 200);
    expect(byMember[0]).toHaveLength(new Set(byMember[0]).size);
    expect(new Set([...byMember[0], ...byMember[1]]).size).toBe(200);
    expect(byMember[0].some((v) => v.endsWith(':5'))).toBe(false); // the closed member got nothing new
  });

  it('close() waits for the in-flight handler and commits it', async () => {
    const b = bus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const sub = await b.subscribe({
      group: 'g',
      topics: ['t'],
      handler: async (m) => {
        if (m.value === 'k:0') await gate;
        handled.push(m.value);
      },
    });
    await b.publish('t', messages('k', 0, 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    let closed = false;
    const closing = sub.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(handled).toEqual(['k:0']);
    const next: string[] = [];
    await b.subscribe({ group: 'g', topics: ['t'], handler: async (m) => void next.push(m.value) });
    await waitFor('k:1 and k:2', () => next.length === 2);
    expect(next).toEqual(['k:1', 'k:2']);
  });

  it('starts a new group at the end when fromBeginning is false', async () => {
    const b = bus();
    await b.publish('t', messages('k', 0, 3));
    const seen: string[] = [];
    await b.subscribe({
      group: 'g',
      topics: ['t'],
      fromBeginning: false,
      handler: async (m) => void seen.push(m.value),
    });
    await b.publish('t', messages('k', 3, 4));
    await waitFor('k:3', () => seen.length === 1);
    expect(seen).toEqual(['k:3']);
  });

  it('fails ping() and operations when its journal cannot be opened', async () => {
    const notADir = join(dir, 'file');
    await writeFile(notADir, 'x');
    const b = bus({ dir: notADir });
    await expect(b.ping()).rejects.toThrow();
    await expect(b.publish('t', messages('k', 0, 1))).rejects.toThrow();
    await b.close();
    expect(await readFile(notADir, 'utf8')).toBe('x');
  });

  it('rejects use after close', async () => {
    const b = bus();
    await b.close();
    await expect(b.publish('t', messages('k', 0, 1))).rejects.toBeInstanceOf(BusClosedError);
    await expect(b.ping()).rejects.toBeInstanceOf(BusClosedError);
  });
});

describe('embedded bus outage switch', () => {
  it('is down for a while: publishing fails transiently, nothing is delivered, then everything flows', async () => {
    const { isTransientError } = await import('@omni/store');
    const { BusUnavailableError, createEmbeddedBus: create } = await import('../src');
    const bus = create({ partitions: 2 });
    const got: string[] = [];
    const sub = await bus.subscribe({
      group: 'g',
      topics: ['t'],
      handler: async (m) => {
        got.push(m.value);
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    bus.faults.down(60_000);
    const err = await bus.publish('t', [{ key: 'a', value: '0' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect(isTransientError(err)).toBe(true);
    await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);
    bus.faults.up();
    await bus.publish('t', [
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
    ]);
    await waitFor('1 in its handler', () => got.length === 1);
    bus.faults.down(250);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(got).toEqual(['1']); // '2' is not delivered while the bus is down
    await waitFor('2 after the outage', () => got.length === 2);
    expect(got).toEqual(['1', '2']);
    await sub.close();
    await bus.close();
  });

  it('refuses a message over the size limit for good (the outbox parks it)', async () => {
    const { PublishRejectedError, createEmbeddedBus: create } = await import('../src');
    const bus = create({ maxMessageBytes: 100 });
    const err = await bus.publish('t', [{ key: 'a', value: 'x'.repeat(200) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishRejectedError);
    expect((err as { reason: string }).reason).toBe('too-large');
    await bus.close();
  });
});
