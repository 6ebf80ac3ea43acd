import { chmod, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * A durable append-only log of JSON records, one record per line:
 *
 *     <crc32 of the JSON, 8 hex digits> <JSON>\n
 *
 * The checksum makes a torn or partial last line (the process or machine died in the middle of a
 * write) detectable: on open it is truncated away and ignored, never half-applied. A bad line that is
 * followed by good lines is not a torn write but corruption, and opening fails loudly rather than
 * silently dropping records that were acknowledged.
 *
 * Group commit: every append made before the pending batch is written (all appends of the same tick,
 * and every append made while the previous write is in flight) share one write() and one fsync.
 *
 * Failures are fail-stop: after a write error the journal rejects every further call, because the
 * file may end in a partial line that must not get records appended after it (reopen to recover).
 */
export interface JournalOptions {
  /**
   * fsync after every batch. false (default): an acknowledged record is in the OS page cache and
   * survives kill -9 of the process; true: it is on disk and survives power loss.
   */
  fsync?: boolean;
}

export interface Journal<R> {
  /** Resolves when the record is written (and fsynced if asked). Order of appends = order in the file. */
  append(record: R): Promise<void>;
  /**
   * Atomic compaction: replaces the whole content with `records` (write a temp file, fsync, rename).
   * Appends made before the call are written before the rewrite; appends made after it land after the
   * new content, so `records` must account for everything appended before the call.
   */
  rewrite(records: Iterable<R>): Promise<void>;
  /** Bytes in the file, counting records appended but not yet written. */
  size(): number;
  /** Writes what is pending and closes the file. Further appends reject. */
  close(): Promise<void>;
}

export class JournalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
  ) {
    super(`journal ${file} is corrupt at byte ${offset}: a bad record is followed by good ones`);
    this.name = 'JournalCorruptError';
  }
}

export class JournalClosedError extends Error {
  constructor(readonly file: string) {
    super(`journal ${file} is closed`);
    this.name = 'JournalClosedError';
  }
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_HEX_LEN = 8;

/** Encodes one record as a checksummed line (with its trailing newline). */
export function encodeLine(record: unknown): string {
  const json = JSON.stringify(record);
  if (json === undefined) throw new TypeError('journal records must be JSON-serialisable');
  return `${crc32(json).toString(16).padStart(CRC_HEX_LEN, '0')} ${json}\n`;
}

/**
 * Decodes the checksummed lines of `buf`. Returns the records of the valid prefix and where it ends;
 * `end < buf.length` means the tail is torn. Throws JournalCorruptError when a good line follows a bad
 * one.
 */
export function decodeLines<R>(buf: Buffer, file: string): { records: R[]; end: number } {
  const records: R[] = [];
  let pos = 0;
  let end = 0;
  let firstBad = -1;
  while (pos < buf.length) {
    const nl = buf.indexOf(NEWLINE, pos);
    const lineEnd = nl === -1 ? buf.length : nl;
    const record = nl === -1 ? undefined : decodeLine<R>(buf, pos, lineEnd);
    if (record === undefined) {
      if (firstBad === -1) firstBad = pos;
    } else {
      if (firstBad !== -1) throw new JournalCorruptError(file, firstBad);
      records.push(record.value);
      end = lineEnd + 1;
    }
    pos = lineEnd + 1;
  }
  return { records, end };
}

function decodeLine<R>(buf: Buffer, start: number, end: number): { value: R } | undefined {
  if (end - start < CRC_HEX_LEN + 2 || buf[start + CRC_HEX_LEN] !== SPACE) return undefined;
  const crcText = buf.toString('latin1', start, start + CRC_HEX_LEN);
  if (!/^[0-9a-f]{8}$/.test(crcText)) return undefined;
  const json = buf.subarray(start + CRC_HEX_LEN + 1, end);
  if (crc32(json) !== parseInt(crcText, 16)) return undefined;
  try {
    return { value: JSON.parse(json.toString('utf8')) as R };
  } catch {
    return undefined;
  }
}

/**
 * Data at rest (password hashes, customer PII, offline verifiers) is for the owner only: files 0600
 * and directories 0700, set explicitly so the umask cannot widen them, and tightened on every open
 * so a data dir written by an older version is fixed too.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) and makes it owner-only. */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** Opens `file` for writing (`w`, `a`, `wx`, `r+`), owner-only whatever the umask. */
export async function openPrivate(file: string, flags: string): Promise<FileHandle> {
  const handle = await open(file, flags, PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** fsyncs a directory so that a create/rename/unlink inside it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `data` (FileHandle.write may write less than asked). */
async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function readIfExists(file: string): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

interface Batch {
  lines: string[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that ignores a failed append must not crash the process with an unhandled rejection;
  // the failure is still delivered to everyone who awaits the promise.
  promise.catch(() => undefined);
  return { lines: [], promise, resolve, reject };
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class FileJournal<R> implements Journal<R> {
  /** The batch collecting appends; null once its write has started. */
  private open: Batch | null = null;
  /** Serialises file operations (batch writes, rewrites, close) in call order. */
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;
  private bytes: number;

  constructor(
    private readonly file: string,
    private handle: FileHandle,
    initialBytes: number,
    private readonly fsync: boolean,
  ) {
    this.bytes = initialBytes;
  }

  append(record: R): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new JournalClosedError(this.file));
    // Encode now so the record is captured as it is at the call (callers may mutate it afterwards).
    const line = encodeLine(record);
    this.bytes += Buffer.byteLength(line);
    let batch = this.open;
    if (!batch) {
      batch = newBatch();
      this.open = batch;
      const scheduled = batch;
      this.enqueue(async () => {
        // Let the rest of this tick's appends join the batch before it is written.
        await nextTick();
        if (this.open === scheduled) this.open = null;
        await this.writeBatch(scheduled);
      });
    }
    batch.lines.push(line);
    return batch.promise;
  }

  private async writeBatch(batch: Batch): Promise<void> {
    if (this.failure) {
      batch.reject(this.failure);
      return;
    }
    try {
      await writeFully(this.handle, Buffer.from(batch.lines.join(''), 'utf8'));
      if (this.fsync) await this.handle.datasync();
      batch.resolve();
    } catch (err) {
      this.failure = err as Error;
      batch.reject(this.failure);
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  rewrite(records: Iterable<R>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new JournalClosedError(this.file));
    // Appends made from now on belong after the new content: close the batch collecting earlier ones.
    this.open = null;
    const content = Buffer.from(Array.from(records, encodeLine).join(''), 'utf8');
    return this.enqueue(async () => {
      if (this.failure) throw this.failure;
      const tmp = `${this.file}.tmp`;
      try {
        const tmpHandle = await openPrivate(tmp, 'w');
        try {
          await writeFully(tmpHandle, content);
          await tmpHandle.sync();
        } finally {
          await tmpHandle.close();
        }
        await rename(tmp, this.file);
        await fsyncDir(dirname(this.file));
        const old = this.handle;
        this.handle = await openPrivate(this.file, 'a');
        await old.close();
        this.bytes = content.length + (this.open ? Buffer.byteLength(this.open.lines.join('')) : 0);
      } catch (err) {
        this.failure = err as Error;
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    });
  }

  size(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    if (this.closed) return this.tail;
    this.closed = true;
    this.open = null;
    await this.enqueue(async () => {
      await this.handle.close();
    });
  }
}

/**
 * Opens (creating if needed) the journal at `file` and returns the records it holds. A torn last
 * line is truncated away (and the truncation fsynced) before the journal accepts appends.
 */
export async function openJournal<R>(
  file: string,
  opts: JournalOptions = {},
): Promise<{ journal: Journal<R>; records: R[] }> {
  const dir = dirname(file);
  await mkdirPrivate(dir);
  const existing = await readIfExists(file);
  let records: R[] = [];
  let validBytes = 0;
  if (existing) {
    const decoded = decodeLines<R>(existing, file);
    records = decoded.records;
    validBytes = decoded.end;
    if (decoded.end < existing.length) {
      const handle = await openPrivate(file, 'r+');
      try {
        await handle.truncate(decoded.end);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  const handle = await openPrivate(file, 'a');
  if (!existing && opts.fsync) await fsyncDir(dir);
  return { journal: new FileJournal<R>(file, handle, validBytes, opts.fsync ?? false), records };
}
