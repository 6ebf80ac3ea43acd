import { chmod, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../src';
import { createEmbeddedStore } from '../src/embedded';

/**
 * Journals and snapshots hold password hashes, customer PII and offline verifiers: owner-only
 * (dirs 0700, files 0600) even under a permissive umask, and tightened when an older data dir is
 * opened. (vitest runs this in a forked process, so changing the umask touches nothing else.)
 */
let root: string;
let umask: number | undefined;
afterEach(async () => {
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

async function modesUnder(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = { '.': await mode(dir) };
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out[path.slice(dir.length + 1)] = await mode(path);
  }
  return out;
}

let n = 0;
/** Two opens: the first close writes a snapshot, the second start a new journal generation. */
async function writeSomething(dir: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const store = createEmbeddedStore({ dir });
    await store.init();
    const users = store.collection<{ _id: string; hash: string }>({ name: 'accounts' });
    await users.insertOne({ _id: `a${++n}`, hash: 'scrypt$secret' });
    await store.close();
  }
}

describe('embedded data at rest', () => {
  it('creates the store dir 0700 and its journal, snapshot and lock files 0600 under umask 000', async () => {
    root = await mkdtemp(join(tmpdir(), 'omni-modes-'));
    umask = process.umask(0);
    const dir = join(root, 'identity', 'store');
    await writeSomething(dir);
    // The embedded event log keeps its journal through the same openJournal.
    const { journal } = await openJournal<{ pii: string }>(join(root, 'events', 'bus.journal'));
    await journal.append({ pii: 'Ada, 1 Main St' });
    await journal.rewrite([{ pii: 'Ada, 1 Main St' }]);
    await journal.close();

    for (const d of [dir, join(root, 'events')]) {
      const modes = await modesUnder(d);
      expect(Object.keys(modes).length).toBeGreaterThan(1);
      for (const [name, m] of Object.entries(modes)) {
        const isDir = (await stat(join(d, name))).isDirectory();
        expect(m.toString(8), `${d}/${name}`).toBe(isDir ? '700' : '600');
      }
    }
  });

  it('tightens a data dir written world-readable by an older version', async () => {
    root = await mkdtemp(join(tmpdir(), 'omni-modes-'));
    const dir = join(root, 'store');
    await writeSomething(dir);
    await chmod(dir, 0o755);
    for (const name of await readdir(dir)) await chmod(join(dir, name), 0o644);
    await writeSomething(dir);
    for (const [name, m] of Object.entries(await modesUnder(dir))) {
      expect(m.toString(8), name).toBe(name === '.' ? '700' : '600');
    }
  });
});
