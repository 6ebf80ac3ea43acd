import { appendFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeLine, JournalClosedError, JournalCorruptError, openJournal } from '../src/journal';

interface Rec {
  n: number;
  s?: string;
}

describe('journal', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-journal-'));
    file = join(dir, 'sub', 'log.jsonl');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  async function appendAll(records: Rec[]): Promise<void> {
    const { journal } = await openJournal<Rec>(file);
    await Promise.all(records.map((r) => journal.append(r)));
    await journal.close();
  }

  it('returns appended records in order after reopening, including unicode and newlines in strings', async () => {
    const records = [{ n: 1 }, { n: 2, s: 'line\nbreak é 😀' }, { n: 3 }];
    await appendAll(records);
    const { journal, records: read } = await openJournal<Rec>(file);
    expect(read).toEqual(records);
    await journal.append({ n: 4 });
    await journal.close();
    expect((await openJournal<Rec>(file)).records.map((r) => r.n)).toEqual([1, 2, 3, 4]);
  });

  it('group-commits appends of the same tick into one write', async () => {
    const { journal } = await openJournal<Rec>(file);
    const probe = await open(join(dir, 'probe'), 'w');
    const writeSpy = vi.spyOn(Object.getPrototypeOf(probe) as { write: () => unknown }, 'write');
    await probe.close();
    await Promise.all(Array.from({ length: 200 }, (_, n) => journal.append({ n })));
    expect(writeSpy).toHaveBeenCalledTimes(1);
    await journal.close();
    expect((await openJournal<Rec>(file)).records).toHaveLength(200);
  });

  it('truncates a torn last line away and keeps appending after the good prefix', async () => {
    await appendAll([{ n: 1 }, { n: 2 }]);
    const goodSize = (await stat(file)).size;
    const torn = encodeLine({ n: 3, s: 'this record was cut in the middle' }).slice(0, 25);
    await appendFile(file, torn);
    const { journal, records } = await openJournal<Rec>(file);
    expect(records).toEqual([{ n: 1 }, { n: 2 }]);
    expect((await stat(file)).size).toBe(goodSize);
    await journal.append({ n: 4 });
    await journal.close();
    expect((await openJournal<Rec>(file)).records).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
  });

  it('treats a complete-looking last line without its newline as torn', async () => {
    await appendAll([{ n: 1 }]);
    await appendFile(file, encodeLine({ n: 2 }).trimEnd());
    expect((await openJournal<Rec>(file)).records).toEqual([{ n: 1 }]);
  });

  it('drops a last line whose checksum does not match its content', async () => {
    await appendAll([{ n: 1 }, { n: 2 }]);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('{"n":2}', '{"n":7}'));
    expect((await openJournal<Rec>(file)).records).toEqual([{ n: 1 }]);
  });

  it('refuses to open when a bad line is followed by good ones (corruption, not a torn write)', async () => {
    await appendAll([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('{"n":2}', '{"n":9}'));
    await expect(openJournal<Rec>(file)).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('rewrite replaces the content atomically; appends after the call land after it', async () => {
    const { journal } = await openJournal<Rec>(file, { fsync: true });
    const before = [journal.append({ n: 1 }), journal.append({ n: 2 })];
    const rewritten = journal.rewrite([{ n: 10 }, { n: 11 }]);
    const after = journal.append({ n: 3 });
    await Promise.all([...before, rewritten, after]);
    expect(journal.size()).toBe((await stat(file)).size);
    await journal.close();
    expect((await openJournal<Rec>(file)).records.map((r) => r.n)).toEqual([10, 11, 3]);
  });

  it('ignores a half-written temp file left by a crash during rewrite', async () => {
    await appendAll([{ n: 1 }]);
    await writeFile(`${file}.tmp`, encodeLine({ n: 99 }).slice(0, 10));
    const { journal, records } = await openJournal<Rec>(file);
    expect(records).toEqual([{ n: 1 }]);
    await journal.rewrite([{ n: 5 }]);
    await journal.close();
    expect((await openJournal<Rec>(file)).records).toEqual([{ n: 5 }]);
  });

  it('rejects appends after close', async () => {
    const { journal } = await openJournal<Rec>(file);
    await journal.close();
    await expect(journal.append({ n: 1 })).rejects.toBeInstanceOf(JournalClosedError);
  });
});
