import type { SeqRange } from './types';

/**
 * Store POS sequencing: ops carry a per-store sequence number and are applied strictly in order.
 * A gap holds later ops (persisted) until it is filled, or until the store forces past it — then the
 * gap is remembered as skipped, and an op that arrives late for a skipped number is still applied
 * (a real sale must never be dropped) while any other number at or below the cursor is refused.
 */

export interface SeqOp {
  id: string;
  seq: number;
}

export interface SequencePlan {
  /** Ops to apply now, in this order. */
  apply: string[];
  /** Ops that wait for a gap (already held ones included). */
  held: string[];
  /** Incoming ops refused, with the reason. */
  rejected: Map<string, 'seq-already-used' | 'seq-conflict'>;
  lastSeq: number;
  skipped: SeqRange[];
  /** Missing sequence numbers between the cursor and the held ops. */
  gaps: SeqRange[];
}

export function planSequence(
  cursor: { lastSeq: number; skipped: readonly SeqRange[] },
  held: readonly SeqOp[],
  incoming: readonly SeqOp[],
  force: boolean,
): SequencePlan {
  let skipped = cursor.skipped.map((r) => ({ ...r }));
  let lastSeq = cursor.lastSeq;
  const rejected: SequencePlan['rejected'] = new Map();
  const apply: string[] = [];
  const pool = new Map<number, string>();
  for (const op of held) pool.set(op.seq, op.id);

  for (const op of incoming) {
    if (op.seq <= lastSeq) {
      if (inRanges(skipped, op.seq)) {
        apply.push(op.id);
        skipped = removeFromRanges(skipped, op.seq);
      } else rejected.set(op.id, 'seq-already-used');
    } else if (pool.has(op.seq)) rejected.set(op.id, 'seq-conflict');
    else pool.set(op.seq, op.id);
  }

  for (;;) {
    const next = pool.get(lastSeq + 1);
    if (next !== undefined) {
      apply.push(next);
      pool.delete(lastSeq + 1);
      lastSeq++;
      continue;
    }
    if (!force || pool.size === 0) break;
    const lowest = Math.min(...pool.keys());
    skipped = addRange(skipped, { from: lastSeq + 1, to: lowest - 1 });
    lastSeq = lowest - 1;
  }

  const heldSeqs = [...pool.keys()].sort((a, b) => a - b);
  const gaps: SeqRange[] = [];
  let expected = lastSeq + 1;
  for (const seq of heldSeqs) {
    if (seq > expected) gaps.push({ from: expected, to: seq - 1 });
    expected = seq + 1;
  }
  return { apply, held: heldSeqs.map((s) => pool.get(s)!), rejected, lastSeq, skipped, gaps };
}

export function inRanges(ranges: readonly SeqRange[], seq: number): boolean {
  return ranges.some((r) => seq >= r.from && seq <= r.to);
}

export function removeFromRanges(ranges: readonly SeqRange[], seq: number): SeqRange[] {
  const out: SeqRange[] = [];
  for (const r of ranges) {
    if (seq < r.from || seq > r.to) out.push(r);
    else {
      if (r.from <= seq - 1) out.push({ from: r.from, to: seq - 1 });
      if (seq + 1 <= r.to) out.push({ from: seq + 1, to: r.to });
    }
  }
  return out;
}

export function addRange(ranges: readonly SeqRange[], range: SeqRange): SeqRange[] {
  if (range.from > range.to) return [...ranges];
  return [...ranges, range].sort((a, b) => a.from - b.from);
}
