import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError, type Doc } from '../src';
import { createEmbeddedStore } from '../src/embedded';
import { DataDirLockedError } from '../src/embedded/persistence';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const writerScript = join(here, 'fixtures', 'durability-writer.ts');
const payloadOf = (id: string): string => `${id}|`.repeat(8);

interface Acks {
  docs: string[];
  lastValue: number;
}

/** Runs the writer child until it has acknowledged `minAcks` writes, then kills it with SIGKILL. */
async function runAndKill(dir: string, prefix: string, minAcks: number): Promise<Acks> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, prefix], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Acks = { docs: [], lastValue: 0 };
  let stderr = '';
  let buffered = '';
  let count = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [kind, value] = line.split(' ');
      if (kind === 'doc') acks.docs.push(value!);
      else if (kind === 'last') acks.lastValue = Math.max(acks.lastValue, Number(value));
      else continue;
      if (++count === minAcks) child.kill('SIGKILL');
    }
  });
  const how = await exited;
  expect(how, `writer died on its own: ${stderr}`).toBe('SIGKILL');
  return acks;
}

describe('embedded store durability', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-store-durability-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and no torn document across repeated kill -9', async () => {
    const acked: string[] = [];
    let lastValue = 0;
    for (const [round, prefix] of ['r1', 'r2', 'r3'].entries()) {
      const acks = await runAndKill(dir, prefix, 1500 + round * 500);
      acked.push(...acks.docs);
      lastValue = Math.max(lastValue, acks.lastValue);

      const store = createEmbeddedStore({ dir });
      const docs = store.collection({ name: 'docs', indexes: [{ keys: { seq: 1 }, unique: true }] });
      const totals = store.collection('totals');
      await store.init();
      const all = await docs.find({});
      const byId = new Map(all.map((d) => [d._id, d]));
      for (const id of acked) expect(byId.has(id), `acknowledged ${id} missing after kill -9`).toBe(true);
      for (const doc of all) expect(doc.payload).toBe(payloadOf(doc._id));
      // Transactions are all-or-nothing across the crash: the counter matches the tx documents.
      const txDocs = all.filter((d) => d.kind === 'tx').length;
      expect((await totals.findById('tx'))?.count ?? 0).toBe(txDocs);
      const last = (await totals.findById('last')) as (Doc & { value: number; payload: string }) | null;
      expect(last?.value ?? 0).toBeGreaterThanOrEqual(lastValue);
      if (last) expect(last.payload).toBe(payloadOf(String(last.value)));
      // Usable: indexes rebuilt, writes accepted.
      const someSeq = all[0]!.seq;
      await expect(docs.insertOne({ _id: `dup-${round}`, seq: someSeq })).rejects.toSatisfy(
        isDuplicateKeyError,
      );
      await docs.insertOne({
        _id: `after-${round}`,
        seq: `after-${round}`,
        payload: payloadOf(`after-${round}`),
      });
      acked.push(`after-${round}`);
      await store.close();
    }
    expect(acked.length).toBeGreaterThan(4000);
  });

  it('refuses a data dir locked by a live process and takes over the lock of a dead one', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await writeFile(join(dir, 'LOCK'), String(holder.pid));
    await expect(createEmbeddedStore({ dir }).init()).rejects.toBeInstanceOf(DataDirLockedError);
    holder.kill('SIGKILL');
    await exited;
    const store = createEmbeddedStore({ dir });
    await store.init();
    await store.collection('x').insertOne({ _id: 'ok' });
    await store.close();
    expect(await readdir(dir)).not.toContain('LOCK');
  });

  it('restarts from a clean close with only a snapshot to load', async () => {
    const first = createEmbeddedStore({ dir });
    const users = first.collection({ name: 'users', indexes: [{ keys: { email: 1 }, unique: true }] });
    await first.init();
    await users.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `u${i}`, email: `u${i}@x.io` })));
    await users.updateOne({ _id: 'u1' }, { $set: { name: 'One' } });
    await users.deleteOne({ _id: 'u2' });
    await first.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('journal-'))).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.startsWith('snapshot-'))).toHaveLength(1);

    const second = createEmbeddedStore({ dir });
    const again = second.collection({ name: 'users', indexes: [{ keys: { email: 1 }, unique: true }] });
    await second.init();
    expect(await again.countDocuments({})).toBe(99);
    expect(await again.findById('u1')).toEqual({ _id: 'u1', email: 'u1@x.io', name: 'One' });
    expect(await again.findById('u2')).toBeNull();
    await expect(again.insertOne({ _id: 'x', email: 'u3@x.io' })).rejects.toSatisfy(isDuplicateKeyError);
    await second.close();
  });

  it('recovers from snapshot + journal after a crash, ignoring a torn journal tail', async () => {
    const first = createEmbeddedStore({ dir, snapshotThresholdBytes: 8 * 1024, fsync: true });
    const items = first.collection('items');
    await first.init();
    for (let i = 0; i < 300; i++) await items.insertOne({ _id: `i${i}`, n: i, pad: 'x'.repeat(50) });
    await items.updateMany({ n: { $lt: 10 } }, { $set: { low: true } });
    await items.deleteMany({ n: { $gte: 290 } });
    // Wait until the background snapshot finished, then "crash": never close the first instance.
    let files: string[] = [];
    for (let i = 0; i < 1000; i++) {
      files = await readdir(dir);
      if (files.some((f) => f.startsWith('snapshot-')) && !files.some((f) => f.endsWith('.tmp'))) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);
    const journals = files.filter((f) => f.startsWith('journal-')).sort();
    await appendFile(join(dir, journals[journals.length - 1]!), '1234abcd {"ops":[{"c":"items","id":"torn"');

    const second = createEmbeddedStore({ dir });
    const recovered = second.collection('items');
    await second.init();
    expect(await recovered.countDocuments({})).toBe(290);
    expect(await recovered.countDocuments({ low: true })).toBe(10);
    expect(await recovered.findById('torn')).toBeNull();
    expect(await recovered.findById('i289')).toMatchObject({ n: 289 });
    await recovered.insertOne({ _id: 'new', n: -1 });
    await second.close();

    const third = createEmbeddedStore({ dir });
    await third.init();
    expect(await third.collection('items').countDocuments({})).toBe(291);
    await third.close();
    // Release the "crashed" instance's file handles (its files are gone; errors do not matter here).
    await first.close().catch(() => undefined);
  });
});
