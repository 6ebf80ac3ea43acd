import { ConflictError, NotFoundError } from '@omni/kit';
import { identityKey, type IdentityKind } from '../domain/identity';
import { resolveCustomer } from '../store/collections';
import { normaliseIdentities } from './normalise-input';
import type { Actor, CustomersContext } from './context';

/**
 * Detaches an identity from a customer (lost card, old email), freeing it for others. A customer
 * keeps at least one identity, otherwise nobody could find them again (erase them instead). Audited.
 */
export async function removeIdentity(ctx: CustomersContext, customerId: string, raw: { kind: IdentityKind; value: string }, actor: Actor): Promise<string> {
  const [identity] = normaliseIdentities(ctx, [raw], () => 'params');
  const key = identityKey(identity!.kind, identity!.value);
  return ctx.store.withTransaction(async (session) => {
    const resolved = await resolveCustomer(ctx.collections, customerId, session);
    if (!resolved) throw new NotFoundError('customer', customerId);
    const id = resolved.doc._id;
    const held = await ctx.collections.identities.findOne({ _id: key, customerId: id }, { session });
    if (!held) throw new NotFoundError(`${identity!.kind} of customer ${customerId}`);
    if ((await ctx.collections.identities.countDocuments({ customerId: id }, { session })) <= 1) {
      throw new ConflictError('last-identity', 'A customer keeps at least one identity; erase the customer instead');
    }
    await ctx.collections.identities.deleteOne({ _id: key, customerId: id }, { session });
    await ctx.collections.customers.updateOne({ _id: id }, { $set: { updatedAt: ctx.clock().toISOString() } }, { session });
    await ctx.audit.record({ actor, action: 'customer.identity.remove', target: { type: 'customer', id }, details: { kind: identity!.kind } }, session);
    return id;
  });
}
