import { prng, seedOf } from './prng';

export interface PosOp {
  clientOpId: string;
  seq: number;
  type: 'sale' | 'return' | 'receipt' | 'count';
  lines: Array<{ sku: string; qty: number }>;
}

/**
 * The day of one store's till, as its POS would upload it: seq 1 is goods-in of every SKU (so the
 * levels exist), then sales (70%), returns (10%), deliveries (15%) and spot counts (5%).
 */
export function posOpsForStore(runId: string, storeId: string, count: number, skus: string[]): PosOp[] {
  const rnd = prng(seedOf(`${runId}|${storeId}`));
  const pick = () => skus[Math.floor(rnd() * skus.length)]!;
  const ops: PosOp[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const clientOpId = `${runId}.${storeId}.${seq}`;
    if (seq === 1) {
      ops.push({ clientOpId, seq, type: 'receipt', lines: skus.map((sku) => ({ sku, qty: 50 })) });
      continue;
    }
    const r = rnd();
    if (r < 0.7) {
      const a = pick();
      const b = pick();
      const lines = [{ sku: a, qty: 1 + Math.floor(rnd() * 3) }];
      if (rnd() < 0.4 && b !== a) lines.push({ sku: b, qty: 1 });
      ops.push({ clientOpId, seq, type: 'sale', lines });
    } else if (r < 0.8) {
      ops.push({ clientOpId, seq, type: 'return', lines: [{ sku: pick(), qty: 1 }] });
    } else if (r < 0.95) {
      ops.push({
        clientOpId,
        seq,
        type: 'receipt',
        lines: [{ sku: pick(), qty: 5 + Math.floor(rnd() * 16) }],
      });
    } else {
      ops.push({ clientOpId, seq, type: 'count', lines: [{ sku: pick(), qty: Math.floor(rnd() * 60) }] });
    }
  }
  return ops;
}

/** What applying the ops exactly once, in seq order, must leave: on-hand per SKU and ledger entries. */
export function expectedAfter(ops: readonly PosOp[]): { onHand: Map<string, number>; movements: number } {
  const onHand = new Map<string, number>();
  let movements = 0;
  for (const op of [...ops].sort((a, b) => a.seq - b.seq)) {
    for (const line of op.lines) {
      const before = onHand.get(line.sku) ?? 0;
      let after = before;
      if (op.type === 'sale') after = before - line.qty;
      else if (op.type === 'return' || op.type === 'receipt') after = before + line.qty;
      else after = line.qty;
      // A count that matches the shelf writes no movement.
      if (after !== before || op.type !== 'count') movements++;
      onHand.set(line.sku, after);
    }
  }
  return { onHand, movements };
}
