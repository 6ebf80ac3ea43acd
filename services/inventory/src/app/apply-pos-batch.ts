import { createHash } from 'node:crypto';
import { TransientTransactionError } from '@omni/store';
import { UnprocessableError } from '@omni/kit';
import { StoreSaleRecorded } from '@omni/contracts';
import { levelId } from '../domain/levels';
import { normaliseLines } from '../domain/lines';
import { planSequence, type SeqOp } from '../domain/sequence';
import type { Actor, Line, PosCursorDoc, PosOpDoc, PosOpType, SeqRange, TillDetails } from '../domain/types';
import { auditMeta, type InventoryContext, type Tx } from './context';
import { unknownLocation } from './errors';
import { isKnownSku } from './known-skus';
import { applyStockChange } from './stock-ledger';
import { inTransaction } from './transaction';

export interface PosOpInput {
  clientOpId: string;
  seq: number;
  type: PosOpType;
  /** For `count`: qty is the counted quantity (0 allowed). */
  lines: Line[];
  occurredAt?: string;
  /** Sales and returns: the member and the till's prices (forwarded as StoreSaleRecorded, not used for stock). */
  till?: TillDetails;
}

export interface PosBatchCommand {
  storeId: string;
  ops: PosOpInput[];
  /** Apply past gaps instead of holding later ops (the store knows the missing ops are lost). */
  force?: boolean;
  /** The caller may count (inventory:adjust at the store); otherwise count ops are refused. */
  mayCount?: boolean;
  actor: Actor;
  ip?: string;
  requestId?: string;
}

export type PosOpOutcome = 'applied' | 'duplicate' | 'held' | 'rejected';

export interface PosOpResult {
  clientOpId: string;
  seq: number;
  status: PosOpOutcome;
  reason?: string;
}

export interface PosBatchResult {
  storeId: string;
  /** Last applied sequence number: the store may forget everything at or below it. */
  cursor: number;
  /** One per op of the request, in request order. */
  results: PosOpResult[];
  /** Ops held by earlier batches that this batch unblocked. */
  appliedFromHold: Array<{ clientOpId: string; seq: number }>;
  /** Sequence numbers still missing (later ops are held until they arrive or `force`). */
  gaps: SeqRange[];
  held: number[];
  /** Numbers skipped by `force`; an op arriving late for one of them is still applied. */
  skipped: SeqRange[];
}

/** The same clientOpId must always mean the same operation. */
function opHash(op: PosOpInput): string {
  const base = [op.seq, op.type, normaliseLines(op.lines), op.occurredAt ?? null];
  // Till details join the hash only when present, so ops recorded before they existed keep their hash.
  const canonical = JSON.stringify(op.till ? [...base, op.till] : base);
  return createHash('sha256').update(canonical).digest('base64url');
}

const posOpId = (storeId: string, clientOpId: string) => `${storeId}|${clientOpId}`;

/**
 * Store POS sync. The whole batch is one transaction: ops are recorded by clientOpId (exactly once:
 * a replayed or concurrently duplicated batch finds them recorded), applied strictly in per-store
 * sequence order, and ops after a gap are persisted as held until the gap is filled or the store
 * forces past it. The per-store cursor is advanced with a version guard, so two concurrent batches
 * of one store serialise (MongoDB: the loser's transaction retries and sees the winner's ops).
 */
export async function applyPosBatch(ctx: InventoryContext, cmd: PosBatchCommand): Promise<PosBatchResult> {
  const result = await inTransaction(ctx, async (tx): Promise<PosBatchResult> => {
    const { locations, posOps, posCursors } = ctx.collections;
    const location = await locations.findById(cmd.storeId, { session: tx.session });
    if (!location) throw unknownLocation(cmd.storeId);
    if (location.type !== 'store')
      throw new UnprocessableError('not-a-store', `location ${cmd.storeId} is a ${location.type}`);
    const cursor: PosCursorDoc = (await posCursors.findById(cmd.storeId, { session: tx.session })) ?? {
      _id: cmd.storeId,
      lastSeq: 0,
      skipped: [],
      version: 0,
      updatedAt: tx.nowIso,
    };

    const results = new Map<number, PosOpResult>(); // request index → result
    const fresh = new Map<string, { op: PosOpInput; hash: string }>();
    const firstIndexOf = new Map<string, number>();
    for (const [i, op] of cmd.ops.entries()) {
      const hash = opHash(op);
      const base = { clientOpId: op.clientOpId, seq: op.seq };
      const earlier = firstIndexOf.get(op.clientOpId);
      if (earlier !== undefined) {
        // Repeated within this batch: the first occurrence decides; this one is its duplicate.
        const same = (fresh.get(op.clientOpId)?.hash ?? opHash(cmd.ops[earlier]!)) === hash;
        results.set(
          i,
          same
            ? { ...base, status: 'duplicate' }
            : { ...base, status: 'rejected', reason: 'client-op-id-reused' },
        );
        continue;
      }
      firstIndexOf.set(op.clientOpId, i);
      const known = await posOps.findById(posOpId(cmd.storeId, op.clientOpId), { session: tx.session });
      if (!known) {
        fresh.set(op.clientOpId, { op, hash });
        continue;
      }
      if (known.hash !== hash) results.set(i, { ...base, status: 'rejected', reason: 'client-op-id-reused' });
      else if (known.status === 'applied') results.set(i, { ...base, status: 'duplicate' });
      else
        results.set(i, { ...base, status: known.status, ...(known.reason ? { reason: known.reason } : {}) });
    }

    const held = await posOps.find({ storeId: cmd.storeId, status: 'held' }, { session: tx.session });
    const heldById = new Map(held.map((h) => [h.clientOpId, h]));
    const incoming: SeqOp[] = [...fresh.values()]
      .map(({ op }) => ({ id: op.clientOpId, seq: op.seq }))
      .sort((a, b) => a.seq - b.seq);
    const plan = planSequence(
      cursor,
      held.map((h) => ({ id: h.clientOpId, seq: h.seq })),
      incoming,
      cmd.force === true,
    );

    const outcome = new Map<string, PosOpResult>();
    for (const [id, reason] of plan.rejected) {
      const { op } = fresh.get(id)!;
      outcome.set(id, { clientOpId: id, seq: op.seq, status: 'rejected', reason });
    }
    const record = (op: PosOpInput, hash: string, status: PosOpDoc['status'], reason?: string): PosOpDoc => ({
      _id: posOpId(cmd.storeId, op.clientOpId),
      storeId: cmd.storeId,
      clientOpId: op.clientOpId,
      seq: op.seq,
      type: op.type,
      lines: normaliseLines(op.lines),
      ...(op.occurredAt ? { occurredAt: op.occurredAt } : {}),
      ...(op.till ? { till: op.till } : {}),
      hash,
      status,
      ...(reason ? { reason } : {}),
      actor: cmd.actor,
      receivedAt: tx.nowIso,
      ...(status !== 'held' ? { appliedAt: tx.nowIso } : {}),
    });
    // Refusals decided by who sent the op travel with it, so a count held behind a gap is still refused
    // when a later batch (perhaps a manager's) fills the gap.
    const refusedBySender = (op: PosOpInput) =>
      op.type === 'count' && cmd.mayCount !== true ? COUNT_NEEDS_MANAGER : undefined;
    for (const id of plan.held) {
      const f = fresh.get(id);
      if (!f) continue; // held before, stays held
      await posOps.insertOne(record(f.op, f.hash, 'held', refusedBySender(f.op)), { session: tx.session });
      outcome.set(id, { clientOpId: id, seq: f.op.seq, status: 'held' });
    }
    const appliedFromHold: PosBatchResult['appliedFromHold'] = [];
    for (const id of plan.apply) {
      const f = fresh.get(id);
      const wasHeld = heldById.get(id);
      const op: PosOpInput = f?.op ?? {
        clientOpId: id,
        seq: wasHeld!.seq,
        type: wasHeld!.type,
        lines: wasHeld!.lines,
        ...(wasHeld!.occurredAt ? { occurredAt: wasHeld!.occurredAt } : {}),
        ...(wasHeld!.till ? { till: wasHeld!.till } : {}),
      };
      const rejection =
        (f ? refusedBySender(op) : wasHeld?.reason) ??
        (await applyPosOp(tx, cmd.storeId, op, wasHeld?.actor ?? cmd.actor));
      const status = rejection ? 'rejected' : 'applied';
      if (f) {
        await posOps.insertOne(record(op, f.hash, status, rejection), { session: tx.session });
        outcome.set(id, { clientOpId: id, seq: op.seq, status, ...(rejection ? { reason: rejection } : {}) });
      } else {
        await posOps.updateOne(
          { _id: wasHeld!._id, status: 'held' },
          { $set: { status, appliedAt: tx.nowIso, ...(rejection ? { reason: rejection } : {}) } },
          { session: tx.session },
        );
        appliedFromHold.push({ clientOpId: id, seq: op.seq });
      }
    }

    if (cmd.force === true) {
      // Forcing past a gap gives up on those sequence numbers: on the audit log, like any override.
      const before = JSON.stringify(cursor.skipped);
      await ctx.audit(
        {
          ...auditMeta(cmd),
          action: 'pos.sync.forced',
          target: { type: 'location', id: cmd.storeId },
          details: {
            cursorBefore: cursor.lastSeq,
            cursorAfter: plan.lastSeq,
            skipped: plan.skipped.filter((r) => !before.includes(JSON.stringify(r))),
            ops: cmd.ops.length,
          },
        },
        tx.session,
      );
    }

    const cursorChanged =
      plan.lastSeq !== cursor.lastSeq || JSON.stringify(plan.skipped) !== JSON.stringify(cursor.skipped);
    if (cursorChanged) {
      if (cursor.version === 0) {
        await posCursors.insertOne(
          { ...cursor, lastSeq: plan.lastSeq, skipped: plan.skipped, version: 1, updatedAt: tx.nowIso },
          { session: tx.session },
        );
      } else {
        const moved = await posCursors.findOneAndUpdate(
          { _id: cmd.storeId, version: cursor.version },
          {
            $set: { lastSeq: plan.lastSeq, skipped: plan.skipped, updatedAt: tx.nowIso },
            $inc: { version: 1 },
          },
          { session: tx.session },
        );
        if (!moved) throw new TransientTransactionError(`POS cursor of ${cmd.storeId} moved concurrently`);
      }
    }

    return {
      storeId: cmd.storeId,
      cursor: plan.lastSeq,
      results: cmd.ops.map((op, i) => results.get(i) ?? outcome.get(op.clientOpId)!),
      appliedFromHold,
      gaps: plan.gaps,
      held: plan.held.map((id) => fresh.get(id)?.op.seq ?? heldById.get(id)!.seq).sort((a, b) => a - b),
      skipped: plan.skipped,
    };
  });
  for (const r of result.results) ctx.metrics.posOps.inc({ status: r.status });
  return result;
}

const COUNT_NEEDS_MANAGER = 'count-needs-manager';

/**
 * Applies one POS op's movements; returns a rejection reason instead when it cannot apply at all.
 * A refused op still takes its place in the sequence (the cursor passes it), so refusing never
 * leaves a gap the store would have to force past; the batch result names the reason per op.
 */
async function applyPosOp(
  tx: Tx,
  storeId: string,
  op: PosOpInput,
  actor: Actor,
): Promise<string | undefined> {
  const { levels } = tx.ctx.collections;
  const lines = normaliseLines(op.lines);
  // Only a count may say 0 (the shelf is empty); a sale, return or receipt of 0 means nothing.
  if (op.type !== 'count' && op.lines.some((l) => l.qty < 1)) return 'invalid-qty';
  if (op.till && op.type !== 'sale' && op.type !== 'return') return 'till-details-only-on-sales';
  for (const line of lines) if (!(await isKnownSku(tx, line.sku))) return 'unknown-sku';
  const ref = { type: 'pos-op', id: op.clientOpId };
  const counted: Array<{ sku: string; countedQty: number; previousOnHand: number; delta: number }> = [];
  for (const line of lines) {
    const base = {
      sku: line.sku,
      locationId: storeId,
      opId: `pos|${storeId}|${op.clientOpId}|${line.sku}`,
      actor,
      ref,
      createLevel: true,
    };
    switch (op.type) {
      case 'sale':
        // A sale that happened at the till is never refused: stock may go below reserved (then the
        // reservations at risk are announced) or below zero (flagged on the level).
        await applyStockChange(tx, { ...base, reason: 'pos-sale', onHandDelta: -line.qty });
        break;
      case 'return':
        await applyStockChange(tx, { ...base, reason: 'return', onHandDelta: line.qty });
        break;
      case 'receipt':
        await applyStockChange(tx, { ...base, reason: 'receipt', onHandDelta: line.qty });
        break;
      case 'count': {
        const level = await levels.findById(levelId(line.sku, storeId), { session: tx.session });
        const delta = line.qty - (level?.onHand ?? 0);
        counted.push({ sku: line.sku, countedQty: line.qty, previousOnHand: level?.onHand ?? 0, delta });
        if (delta !== 0) {
          await applyStockChange(tx, {
            ...base,
            reason: 'adjustment',
            onHandDelta: delta,
            note: 'cycle-count',
          });
        }
        break;
      }
    }
  }
  if ((op.type === 'sale' || op.type === 'return') && op.till?.member) {
    await publishStoreSale(tx, storeId, op, op.type, op.till.member, lines);
  }
  if (op.type === 'count') {
    await tx.ctx.audit(
      {
        actor,
        action: 'stock.count',
        target: { type: 'location', id: storeId },
        details: { clientOpId: op.clientOpId, seq: op.seq, lines: counted, via: 'pos-sync' },
      },
      tx.session,
    );
  }
  return undefined;
}

/**
 * A till sale or return naming a member, for customers (points, history) and orders (purchase limits).
 * Published in the batch's transaction, so it exists exactly when the op was applied.
 */
async function publishStoreSale(
  tx: Tx,
  storeId: string,
  op: PosOpInput,
  kind: 'sale' | 'return',
  member: NonNullable<TillDetails['member']>,
  lines: Line[],
): Promise<void> {
  const sent: NonNullable<TillDetails['pricedLines']> = op.till?.pricedLines ?? lines;
  const priced = sent.filter((l) => l.unitPrice !== undefined);
  const currencies = new Set(priced.map((l) => l.unitPrice!.currency));
  // A total only when every line is priced in one currency: customers never guesses the rest.
  const total =
    priced.length === sent.length && currencies.size === 1
      ? {
          amountMinor: priced.reduce((sum, l) => sum + l.qty * l.unitPrice!.amountMinor, 0),
          currency: [...currencies][0]!,
        }
      : undefined;
  await tx.publish(StoreSaleRecorded, storeId, {
    saleId: `${storeId}:${op.clientOpId}`,
    storeId,
    clientOpId: op.clientOpId,
    kind,
    member,
    lines: sent.map((l) => ({ sku: l.sku, qty: l.qty, ...(l.unitPrice ? { unitPrice: l.unitPrice } : {}) })),
    ...(total ? { total } : {}),
    ...(op.till?.returnOf ? { returnOf: op.till.returnOf } : {}),
    occurredAt: op.occurredAt ?? tx.nowIso,
  });
}
