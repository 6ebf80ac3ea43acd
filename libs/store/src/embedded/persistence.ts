import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '../port';
import {
  decodeLines,
  encodeLine,
  fsyncDir,
  mkdirPrivate,
  openJournal,
  openPrivate,
  type Journal,
} from '../journal';

/**
 * Durability of the embedded store: snapshot + journal generations in one directory.
 *
 *   snapshot-<G>.jsonl   every document as of the moment journal G was started (written to a temp
 *                        file, fsynced, renamed: either complete or absent)
 *   journal-<G>.jsonl    every committed write after that moment, one record per commit
 *
 * Recovery loads the newest snapshot S and replays journals G >= S in order. Journal records hold
 * whole documents (put) or deletions, so replaying a record that a snapshot already contains is
 * harmless. Rotation (journal past the threshold, and on close) switches appends to journal G+1 at
 * one synchronous instant, captures the document maps at that instant (documents are immutable once
 * committed, so capturing is copying references), then writes snapshot G+1 in the background and
 * only then deletes the older files. A crash at any point leaves a recoverable set of files.
 */

export interface JournalOp {
  /** Collection. */
  c: string;
  id: string;
  /** New document; absent = deleted. */
  d?: Doc;
}

export interface JournalRecord {
  ops: JournalOp[];
}

type SnapshotLine = { v: 1; gen: number } | { c: string; docs: Doc[] } | { end: true; count: number };

export type StoreState = Map<string, Map<string, Doc>>;
/** Documents per collection at one instant. */
export type CapturedState = Array<[string, Doc[]]>;

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`data dir ${dir} is in use by process ${pid}`);
    this.name = 'DataDirLockedError';
  }
}

const LOCK_FILE = 'LOCK';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per data dir: two writers appending to one journal would interleave garbage. The lock
 * file holds the owner's pid; a lock left by a dead process (kill -9) is taken over.
 */
async function lockDir(dir: string): Promise<void> {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await openPrivate(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (owner === process.pid) return;
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new DataDirLockedError(dir, owner);
    await unlink(file).catch(() => undefined);
  }
  throw new Error(`could not lock data dir ${dir}`);
}

async function unlockDir(dir: string): Promise<void> {
  const file = join(dir, LOCK_FILE);
  const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (owner === process.pid) await unlink(file).catch(() => undefined);
}

export class SnapshotCorruptError extends Error {
  constructor(file: string, reason: string) {
    super(`snapshot ${file} is unusable: ${reason}`);
    this.name = 'SnapshotCorruptError';
  }
}

const SNAPSHOT_RE = /^snapshot-(\d+)\.jsonl$/;
const JOURNAL_RE = /^journal-(\d+)\.jsonl$/;
const SNAPSHOT_CHUNK_DOCS = 1000;

const genName = (gen: number): string => String(gen).padStart(10, '0');

export interface PersistenceOptions {
  fsync: boolean;
  /** Journal size that triggers a snapshot and a new journal. */
  snapshotThresholdBytes: number;
}

function applyOps(state: StoreState, ops: JournalOp[]): void {
  for (const op of ops) {
    let docs = state.get(op.c);
    if (!docs) {
      docs = new Map();
      state.set(op.c, docs);
    }
    if (op.d) docs.set(op.id, op.d);
    else docs.delete(op.id);
  }
}

async function loadSnapshot(file: string): Promise<StoreState> {
  const { records, end } = decodeLines<SnapshotLine>(await readFile(file), file);
  const state: StoreState = new Map();
  const header = records[0];
  const trailer = records[records.length - 1];
  if (!header || !('v' in header) || header.v !== 1) throw new SnapshotCorruptError(file, 'missing header');
  if (!trailer || !('end' in trailer))
    throw new SnapshotCorruptError(file, `incomplete (valid up to byte ${end})`);
  let count = 0;
  for (const line of records) {
    if (!('c' in line)) continue;
    let docs = state.get(line.c);
    if (!docs) {
      docs = new Map();
      state.set(line.c, docs);
    }
    for (const doc of line.docs) docs.set(doc._id, doc);
    count += line.docs.length;
  }
  if (count !== trailer.count)
    throw new SnapshotCorruptError(file, `holds ${count} of ${trailer.count} documents`);
  return state;
}

async function writeSnapshot(dir: string, gen: number, captured: CapturedState): Promise<void> {
  const file = join(dir, `snapshot-${genName(gen)}.jsonl`);
  const tmp = `${file}.tmp`;
  const handle = await openPrivate(tmp, 'w');
  try {
    let count = 0;
    const write = async (line: SnapshotLine): Promise<void> => {
      const data = Buffer.from(encodeLine(line), 'utf8');
      let offset = 0;
      while (offset < data.length) offset += (await handle.write(data, offset)).bytesWritten;
    };
    await write({ v: 1, gen });
    // One line per chunk; each await lets the event loop serve requests while a big snapshot is written.
    for (const [c, docs] of captured) {
      for (let i = 0; i < docs.length; i += SNAPSHOT_CHUNK_DOCS) {
        const chunk = docs.slice(i, i + SNAPSHOT_CHUNK_DOCS);
        await write({ c, docs: chunk });
        count += chunk.length;
      }
    }
    await write({ end: true, count });
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

interface Buffered {
  record: JournalRecord;
  resolve: (p: Promise<void>) => void;
  reject: (err: Error) => void;
}

export class Persistence {
  /** The journal taking appends; null while switching to the next generation. */
  private journal: Journal<JournalRecord> | null;
  /** Appends made while switching, in order. */
  private buffered: Buffered[] = [];
  private rotation: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly opts: PersistenceOptions,
    journal: Journal<JournalRecord>,
    private gen: number,
    private readonly capture: () => CapturedState,
  ) {
    this.journal = journal;
  }

  private journalFile(gen: number): string {
    return join(this.dir, `journal-${genName(gen)}.jsonl`);
  }

  /**
   * Recovers the state stored in `dir` (creating it if needed). `capture` must return the store's
   * current documents; it is called at rotation and close.
   */
  static async open(
    dir: string,
    opts: PersistenceOptions,
    capture: () => CapturedState,
  ): Promise<{ persistence: Persistence; state: StoreState }> {
    await mkdirPrivate(dir);
    await lockDir(dir);
    const names = await readdir(dir);
    const snapshots: number[] = [];
    const journals: number[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        // A snapshot or compaction that crashed before its rename: never part of the state.
        await unlink(join(dir, name));
        continue;
      }
      const s = SNAPSHOT_RE.exec(name);
      if (s) snapshots.push(Number(s[1]));
      const j = JOURNAL_RE.exec(name);
      if (j) journals.push(Number(j[1]));
    }
    snapshots.sort((a, b) => a - b);
    journals.sort((a, b) => a - b);
    const snapshotGen = snapshots[snapshots.length - 1] ?? 0;
    const state =
      snapshots.length > 0
        ? await loadSnapshot(join(dir, `snapshot-${genName(snapshotGen)}.jsonl`))
        : new Map();
    const replay = journals.filter((g) => g >= snapshotGen);
    const activeGen = replay[replay.length - 1] ?? snapshotGen;
    for (const g of replay.slice(0, -1)) {
      const file = join(dir, `journal-${genName(g)}.jsonl`);
      for (const record of decodeLines<JournalRecord>(await readFile(file), file).records)
        applyOps(state, record.ops);
    }
    const { journal, records } = await openJournal<JournalRecord>(
      join(dir, `journal-${genName(activeGen)}.jsonl`),
      {
        fsync: opts.fsync,
      },
    );
    for (const record of records) applyOps(state, record.ops);
    const persistence = new Persistence(dir, opts, journal, activeGen, capture);
    await persistence.removeBefore(snapshotGen);
    return { persistence, state };
  }

  /** Throws the error that stopped persistence, if any. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Appends one commit. Must be called synchronously right after the commit is applied in memory,
   * so that the journal order is the apply order and a capture always matches the appended records.
   */
  append(record: JournalRecord): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const journal = this.journal;
    if (!journal) {
      return new Promise<void>((resolve, reject) => {
        this.buffered.push({ record, resolve: (p) => p.then(resolve, reject), reject });
      });
    }
    const written = journal.append(record);
    if (!this.rotation && !this.closed && journal.size() > this.opts.snapshotThresholdBytes) {
      this.rotation = this.rotate(journal).finally(() => {
        this.rotation = null;
      });
      this.rotation.catch(() => undefined);
    }
    return written;
  }

  private async rotate(old: Journal<JournalRecord>): Promise<void> {
    const captured = this.capture();
    const nextGen = this.gen + 1;
    this.journal = null;
    try {
      const { journal } = await openJournal<JournalRecord>(this.journalFile(nextGen), {
        fsync: this.opts.fsync,
      });
      this.gen = nextGen;
      this.journal = journal;
      const buffered = this.buffered;
      this.buffered = [];
      for (const b of buffered) b.resolve(journal.append(b.record));
      await writeSnapshot(this.dir, nextGen, captured);
      await old.close();
      await this.removeBefore(nextGen);
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const buffered = this.buffered;
    this.buffered = [];
    for (const b of buffered) b.reject(this.failure);
  }

  /** Deletes journals and snapshots older than generation `gen` (all covered by snapshot `gen`). */
  private async removeBefore(gen: number): Promise<void> {
    let removed = false;
    for (const name of await readdir(this.dir)) {
      const m = SNAPSHOT_RE.exec(name) ?? JOURNAL_RE.exec(name);
      if (m && Number(m[1]) < gen) {
        await unlink(join(this.dir, name));
        removed = true;
      }
    }
    if (removed && this.opts.fsync) await fsyncDir(this.dir);
  }

  /** Flushes the journal, writes a final snapshot (so the next open loads only it) and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.rotation?.catch(() => undefined);
    const journal = this.journal;
    if (journal) await journal.close();
    if (this.failure) throw this.failure;
    const nextGen = this.gen + 1;
    await writeSnapshot(this.dir, nextGen, this.capture());
    await this.removeBefore(nextGen);
    await unlockDir(this.dir);
  }
}
