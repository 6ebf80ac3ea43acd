import { isDuplicateKeyError } from '@omni/store';
import { ConflictError, NotFoundError } from '@omni/kit';
import { resolveCustomer } from '../store/collections';
import { attachIdentity, type AttachOutcome } from './attach-identity';
import { normaliseIdentities, type RawIdentity } from './normalise-input';
import type { Actor, CustomersContext } from './context';

/**
 * Adds (or verifies) an identity of a customer. Adding a verified phone that another live customer
 * holds verified merges the two (the automatic merge trigger); see attachIdentity for every rule.
 */
export async function addIdentity(ctx: CustomersContext, customerId: string, raw: RawIdentity, actor: Actor): Promise<AttachOutcome> {
  const [identity] = normaliseIdentities(ctx, [raw], () => 'body');
  try {
    return await ctx.store.withTransaction(async (session) => {
      const resolved = await resolveCustomer(ctx.collections, customerId, session);
      if (!resolved) throw new NotFoundError('customer', customerId);
      if (resolved.doc.status === 'erased') throw new ConflictError('customer-erased', `customer ${customerId} was erased`);
      return attachIdentity(ctx, session, resolved.doc._id, identity!, actor);
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError('identity-taken', 'This identity already belongs to another customer');
    throw err;
  }
}
