import { NotFoundError, BadRequestError } from '@omni/kit';
import { toView, type CustomerView } from '../../domain/customer';
import { identityKey, InvalidIdentityError, normaliseIdentity, type IdentityKind } from '../../domain/identity';
import { resolveCustomer, type CustomersCollections } from '../../store/collections';
import type { CustomersContext } from '../context';

/** The customer behind `id`, following merges (resolvedFrom says so); 404 unknown. */
export async function getCustomer(ctx: Pick<CustomersContext, 'collections'>, id: string): Promise<CustomerView> {
  const resolved = await resolveCustomer(ctx.collections, id);
  if (!resolved) throw new NotFoundError('customer', id);
  return toView(resolved.doc, await identitiesOf(ctx.collections, resolved.doc._id), resolved.resolvedFrom);
}

export async function identitiesOf(db: CustomersCollections, customerId: string) {
  const docs = await db.identities.find({ customerId }, { sort: { addedAt: 1, _id: 1 } });
  return docs.map(({ kind, value, verified, addedAt, verifiedAt }) => ({ kind, value, verified, addedAt, ...(verifiedAt ? { verifiedAt } : {}) }));
}

/** The live customer id holding an identity, or null. Invalid values are a 400 naming the field. */
export async function customerIdByIdentity(
  ctx: Pick<CustomersContext, 'collections' | 'identity'>,
  kind: IdentityKind,
  value: string,
  field = 'querystring/value',
): Promise<string | null> {
  let normalised: string;
  try {
    normalised = normaliseIdentity(kind, value, ctx.identity);
  } catch (err) {
    if (err instanceof InvalidIdentityError) throw new BadRequestError(`Not a valid ${kind}`, [{ field, message: err.reason }]);
    throw err;
  }
  const identity = await ctx.collections.identities.findById(identityKey(kind, normalised));
  return identity?.customerId ?? null;
}

/** Lookup by any identity (staff at the counter, ops, other services). */
export async function lookupCustomer(ctx: Pick<CustomersContext, 'collections' | 'identity'>, kind: IdentityKind, value: string): Promise<CustomerView> {
  const id = await customerIdByIdentity(ctx, kind, value);
  if (!id) throw new NotFoundError(`customer with this ${kind}`);
  return getCustomer(ctx, id);
}
