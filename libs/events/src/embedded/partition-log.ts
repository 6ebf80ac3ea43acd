/** One stored message. Offsets are implicit: the record at index i has offset `base + i`. */
export interface LogRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/**
 * The records of one partition, in memory. Offsets only grow; the oldest records can be dropped
 * (retention), after which `base` > 0. Records become readable when `visible` passes them — in a
 * durable bus that happens once the journal has them, so consumers never act on a record that a
 * crash could lose.
 */
export class PartitionLog {
  private records: LogRecord[] = [];
  /** Offset of the oldest retained record (= `end` when empty). */
  base = 0;
  /** Offset the next appended record gets. */
  end = 0;
  /** Records with offset < visible may be delivered. */
  visible = 0;
  /** Retention is evaluated when the record count passes this mark (amortises the check). */
  retentionMark = 0;
  private waiters = new Set<() => void>();

  get length(): number {
    return this.records.length;
  }

  /** Appends and returns the record's offset. Not readable until `makeVisible` passes it. */
  append(record: LogRecord): number {
    this.records.push(record);
    return this.end++;
  }

  get(offset: number): LogRecord | undefined {
    return this.records[offset - this.base];
  }

  makeVisible(upTo: number): void {
    if (upTo <= this.visible) return;
    this.visible = Math.min(upTo, this.end);
    if (this.waiters.size === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Registers a one-shot callback for the next time `visible` grows. */
  onVisible(wake: () => void): void {
    this.waiters.add(wake);
  }

  offVisible(wake: () => void): void {
    this.waiters.delete(wake);
  }

  /** Drops every record with offset < `offset`. */
  dropBefore(offset: number): number {
    const n = Math.min(offset, this.end) - this.base;
    if (n <= 0) return 0;
    this.records.splice(0, n);
    this.base += n;
    if (this.visible < this.base) this.visible = this.base;
    return n;
  }

  /** Used when loading a journal: an empty partition whose offsets start at `offset`. */
  startAt(offset: number): void {
    if (this.records.length === 0 && offset > this.end) {
      this.base = this.end = this.visible = offset;
    }
  }

  /**
   * Used when loading a journal: appends a record at a known offset. Returns false when the offset
   * leaves a gap (never written by this bus; a damaged file): the records before the gap are dropped
   * so offsets stay contiguous.
   */
  restore(offset: number, record: LogRecord): boolean {
    if (offset < this.end) return true; // already have it
    let contiguous = true;
    if (this.records.length > 0 && offset !== this.end) {
      this.records = [];
      contiguous = false;
    }
    if (this.records.length === 0) this.base = offset;
    this.records.push(record);
    this.end = offset + 1;
    this.visible = this.end;
    return contiguous;
  }

  *entries(): Generator<[number, LogRecord]> {
    for (let i = 0; i < this.records.length; i++) yield [this.base + i, this.records[i]!];
  }
}
