import { createHash } from 'node:crypto';
import { ConflictError } from '@omni/kit';
import type { OperationDoc } from '../store/collections';
import type { Tx } from './context';

/**
 * Idempotency of client-identified stock operations (receipts, counts, adjustments): the first run
 * records its result under `kind:location:clientId`; a retry with the same content gets that result
 * back, the same id with other content is a conflict.
 */
export async function recordedResult(
  tx: Tx,
  kind: OperationDoc['kind'],
  locationId: string,
  clientId: string,
  content: unknown,
): Promise<{ id: string; hash: string; previous: Record<string, unknown> | null }> {
  const id = `${kind}|${locationId}|${clientId}`;
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('base64url');
  const existing = await tx.ctx.collections.operations.findById(id, { session: tx.session });
  if (existing && existing.hash !== hash) {
    throw new ConflictError(
      `${kind}-id-conflict`,
      `${kind} ${clientId} at ${locationId} was already recorded with other content`,
    );
  }
  return { id, hash, previous: existing ? existing.result : null };
}

export async function recordResult(
  tx: Tx,
  rec: { id: string; hash: string },
  kind: OperationDoc['kind'],
  locationId: string,
  result: Record<string, unknown>,
  actor: { sub: string; role: string },
): Promise<void> {
  await tx.ctx.collections.operations.insertOne(
    { _id: rec.id, kind, locationId, hash: rec.hash, result, actor, at: tx.nowIso },
    { session: tx.session },
  );
}
