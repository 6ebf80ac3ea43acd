import { isDuplicateKeyError, newId, type Session } from '@omni/store';
import type { ConflictKind, SyncResult } from '../store/collections';
import type { VouchersContext } from './context';
import { redeem, type Proof, type Refusal, type RedeemOutcome } from './redeem';

export interface OfflineRedemption {
  clientOpId: string;
  proof: Proof;
  amountMinor?: number;
  /** When the counter redeemed it. */
  at: string;
}

const CONFLICT_OF: Record<Refusal, ConflictKind> = {
  'already-used': 'double-redemption',
  'insufficient-value': 'double-redemption',
  'store-day-limit': 'limit-exceeded',
  'voucher-day-limit': 'limit-exceeded',
  refunded: 'not-redeemable',
  void: 'not-redeemable',
  expired: 'not-redeemable',
  'not-yet-valid': 'not-redeemable',
  'excluded-day': 'not-redeemable',
  'store-not-allowed': 'not-redeemable',
  'amount-not-allowed': 'not-redeemable',
  'out-of-stock': 'not-redeemable',
};

/**
 * Redemptions a counter recorded while offline, applied in order, each exactly once per clientOpId
 * (a replay returns the first result with `replayed: true`). The counter accepted them on the signed
 * QR alone, so the server may find one it cannot accept — the same voucher already redeemed at
 * another store, a limit already reached: that is a `conflict`, stored for ops with the redemptions
 * that were accepted, and never applied.
 */
export async function syncOffline(
  ctx: VouchersContext,
  storeId: string,
  clerk: string,
  ops: OfflineRedemption[],
): Promise<Array<SyncResult & { replayed: boolean }>> {
  const results: Array<SyncResult & { replayed: boolean }> = [];
  for (const op of ops) {
    const id = `${storeId}:${op.clientOpId}`;
    const seen = await ctx.collections.syncOps.findById(id);
    if (seen) {
      results.push({ ...seen.result, replayed: true });
      continue;
    }
    let result: SyncResult | undefined;
    try {
      await redeem(
        ctx,
        {
          storeId,
          clerk,
          proof: op.proof,
          ...(op.amountMinor !== undefined ? { amountMinor: op.amountMinor } : {}),
          at: new Date(op.at),
          offline: true,
          clientOpId: op.clientOpId,
        },
        {
          after: async (s, outcome) => {
            result = await record(ctx, s, storeId, clerk, op, outcome);
            await ctx.collections.syncOps.insertOne(
              { _id: id, storeId, result, at: ctx.clock().toISOString() },
              { session: s },
            );
          },
        },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // The same op from a concurrent sync of this counter won: its result is the result.
      const winner = await ctx.collections.syncOps.findById(id);
      if (!winner) throw err;
      results.push({ ...winner.result, replayed: true });
      continue;
    }
    results.push({ ...result!, replayed: false });
  }
  return results;
}

async function record(
  ctx: VouchersContext,
  s: Session,
  storeId: string,
  clerk: string,
  op: OfflineRedemption,
  outcome: RedeemOutcome,
): Promise<SyncResult> {
  switch (outcome.kind) {
    case 'redeemed':
      return {
        clientOpId: op.clientOpId,
        outcome: 'applied',
        voucherId: outcome.voucher._id,
        redemptionId: outcome.redemption._id,
      };
    case 'not-found':
      return {
        clientOpId: op.clientOpId,
        outcome: 'rejected',
        error: { type: outcome.reason, detail: 'no voucher has this code' },
      };
    case 'refused': {
      const kind = CONFLICT_OF[outcome.reason];
      const accepted = await ctx.collections.redemptions.find(
        { voucherId: outcome.voucher._id },
        { session: s, sort: { redeemedAt: 1 }, limit: 50 },
      );
      const conflictId = newId();
      await ctx.collections.conflicts.insertOne(
        {
          _id: conflictId,
          kind,
          storeId,
          voucherId: outcome.voucher._id,
          orderId: outcome.voucher.orderId,
          clientOpId: op.clientOpId,
          clerk,
          offlineRedeemedAt: op.at,
          ...(op.amountMinor !== undefined
            ? { amount: { amountMinor: op.amountMinor, currency: outcome.voucher.face.currency } }
            : {}),
          detail: `offline redemption at ${storeId} refused: ${outcome.reason}`,
          acceptedRedemptions: accepted.map((r) => r._id),
          detectedAt: ctx.clock().toISOString(),
          status: 'open',
        },
        { session: s },
      );
      ctx.metrics.conflicts.inc({ kind });
      return {
        clientOpId: op.clientOpId,
        outcome: 'conflict',
        voucherId: outcome.voucher._id,
        conflictId,
        error: { type: outcome.reason, detail: `kept for ops as ${kind}` },
      };
    }
  }
}
