import type { Session } from '@omni/store';
import { TransientTransactionError } from '@omni/store';
import { ConflictError } from '@omni/kit';
import { identityKey, resolveClash, type IdentityKind } from '../domain/identity';
import type { IdentityDoc } from '../store/collections';
import { mergeInSession, type MergeOutcome } from './merge-customers';
import type { Actor, CustomersContext } from './context';

export interface IdentityInput {
  kind: IdentityKind;
  /** Already normalised (normaliseIdentity). */
  value: string;
  verified: boolean;
}

export interface AttachOutcome {
  result: 'added' | 'unchanged' | 'verified' | 'taken_over' | 'merged';
  /** The live customer that holds the identity now (differs from the input after a merge). */
  customerId: string;
  merge?: MergeOutcome;
}

/**
 * Attaches an identity to a live customer inside the caller's transaction, applying the clash rules
 * of resolveClash when another customer already holds it: verified phone on both sides → merge;
 * a verified claim over an unverified one → take it over; anything else → 409 identity-taken.
 */
export async function attachIdentity(
  ctx: CustomersContext,
  session: Session,
  customerId: string,
  identity: IdentityInput,
  actor: Actor,
): Promise<AttachOutcome> {
  const { collections: db } = ctx;
  const key = identityKey(identity.kind, identity.value);
  const at = ctx.clock().toISOString();
  const existing = await db.identities.findById(key, { session });

  if (!existing) {
    const doc: IdentityDoc = {
      _id: key,
      customerId,
      kind: identity.kind,
      value: identity.value,
      verified: identity.verified,
      addedAt: at,
      ...(identity.verified ? { verifiedAt: at } : {}),
    };
    await db.identities.insertOne(doc, { session });
    return { result: 'added', customerId };
  }

  if (existing.customerId === customerId) {
    if (!identity.verified || existing.verified) return { result: 'unchanged', customerId };
    await db.identities.updateOne({ _id: key, customerId }, { $set: { verified: true, verifiedAt: at } }, { session });
    return { result: 'verified', customerId };
  }

  switch (resolveClash(identity.kind, identity.verified, existing.verified)) {
    case 'conflict':
      throw new ConflictError('identity-taken', `This ${identity.kind.replace('_', ' ')} already belongs to another customer`, {
        kind: identity.kind,
      });
    case 'take_over': {
      const moved = await db.identities.updateOne(
        { _id: key, customerId: existing.customerId, verified: false },
        { $set: { customerId, verified: true, verifiedAt: at, addedAt: at } },
        { session },
      );
      if (moved.matchedCount !== 1) throw new TransientTransactionError(`identity ${identity.kind} changed concurrently`);
      await ctx.audit.record(
        {
          actor,
          action: 'customer.identity.take-over',
          target: { type: 'customer', id: customerId },
          // Audit entries outlive erasure: they name the kind, never the value.
          details: { kind: identity.kind, fromCustomerId: existing.customerId },
        },
        session,
      );
      return { result: 'taken_over', customerId };
    }
    case 'merge': {
      const merge = await mergeInSession(ctx, session, {
        customerIds: [existing.customerId, customerId],
        trigger: 'verified_phone',
        reason: 'both records hold the same verified phone',
        actor,
      });
      return { result: 'merged', customerId: merge.survivorId, merge };
    }
  }
}
