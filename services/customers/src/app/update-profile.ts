import type { Session } from '@omni/store';
import { ConflictError, NotFoundError, UnprocessableError } from '@omni/kit';
import { MAX_ADDRESSES, type ConsentKey, type CustomerDoc } from '../domain/customer';
import { resolveCustomer } from '../store/collections';
import { applyConsents, toAddress, type AddressInput } from './normalise-input';
import type { CustomersContext } from './context';

export interface ProfileChanges {
  name?: string;
  consents?: Partial<Record<ConsentKey, boolean>>;
}

/** Loads the live record behind `customerId` inside a transaction; 404 unknown, 409 erased. */
async function liveCustomer(ctx: CustomersContext, session: Session, customerId: string): Promise<CustomerDoc> {
  const resolved = await resolveCustomer(ctx.collections, customerId, session);
  if (!resolved) throw new NotFoundError('customer', customerId);
  if (resolved.doc.status !== 'active') throw new ConflictError('customer-erased', `customer ${customerId} was erased`);
  return resolved.doc;
}

/** Name and consent flags (each flag keeps the time it was last given or withdrawn). */
export function updateProfile(ctx: CustomersContext, customerId: string, changes: ProfileChanges): Promise<CustomerDoc> {
  return ctx.store.withTransaction(async (session) => {
    const doc = await liveCustomer(ctx, session, customerId);
    const at = ctx.clock().toISOString();
    const set: Record<string, unknown> = { updatedAt: at };
    if (changes.name !== undefined) set.name = changes.name.trim();
    if (changes.consents) set.consents = applyConsents(doc.consents, changes.consents, at);
    // Read-modify-write of one document inside a transaction: MongoDB aborts one of two concurrent
    // writers (write conflict, retried); the embedded store runs transactions one at a time.
    const updated = await ctx.collections.customers.findOneAndUpdate({ _id: doc._id, status: 'active' }, { $set: set }, { session });
    return updated!;
  });
}

export function addAddress(ctx: CustomersContext, customerId: string, input: AddressInput): Promise<CustomerDoc> {
  return ctx.store.withTransaction(async (session) => {
    const doc = await liveCustomer(ctx, session, customerId);
    if (doc.addresses.length >= MAX_ADDRESSES) {
      throw new UnprocessableError('too-many-addresses', `A customer keeps at most ${MAX_ADDRESSES} addresses`);
    }
    const updated = await ctx.collections.customers.findOneAndUpdate(
      { _id: doc._id, status: 'active' },
      { $push: { addresses: toAddress(input) }, $set: { updatedAt: ctx.clock().toISOString() } },
      { session },
    );
    return updated!;
  });
}

export function removeAddress(ctx: CustomersContext, customerId: string, addressId: string): Promise<CustomerDoc> {
  return ctx.store.withTransaction(async (session) => {
    const doc = await liveCustomer(ctx, session, customerId);
    if (!doc.addresses.some((a) => a.id === addressId)) throw new NotFoundError('address', addressId);
    const updated = await ctx.collections.customers.findOneAndUpdate(
      { _id: doc._id, status: 'active' },
      { $pull: { addresses: { id: addressId } }, $set: { updatedAt: ctx.clock().toISOString() } },
      { session },
    );
    return updated!;
  });
}
