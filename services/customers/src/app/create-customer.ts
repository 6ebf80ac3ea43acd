import { isDuplicateKeyError, newId } from '@omni/store';
import { ConflictError } from '@omni/kit';
import { CustomerCreated } from '@omni/contracts';
import { defaultConsents, MAX_ADDRESSES, type ConsentKey, type CustomerDoc, type Origin } from '../domain/customer';
import { attachIdentity } from './attach-identity';
import type { MergeOutcome } from './merge-customers';
import { applyConsents, normaliseIdentities, toAddress, type AddressInput, type RawIdentity } from './normalise-input';
import type { Actor, CustomersContext } from './context';

export interface CreateCustomerInput {
  name?: string;
  identities: RawIdentity[];
  addresses?: AddressInput[];
  consents?: Partial<Record<ConsentKey, boolean>>;
  origin: Origin;
}

export interface CreateCustomerResult {
  /** The id the new record got. */
  createdId: string;
  /** The live customer: createdId, or the survivor when a verified phone merged it at once. */
  customerId: string;
  merges: MergeOutcome[];
}

/**
 * Creates a customer with its identities in one transaction. An identity held by another customer
 * is a 409 and nothing is written — except a verified phone that the other customer holds verified
 * too: then the new record is merged into the existing one at once (a walk-in member card joins
 * the online account), and both the creation and the merge are on record.
 */
export async function createCustomer(ctx: CustomersContext, input: CreateCustomerInput, actor: Actor): Promise<CreateCustomerResult> {
  const identities = normaliseIdentities(ctx, input.identities, (i) => `body/identities/${i}`);
  const addresses = (input.addresses ?? []).slice(0, MAX_ADDRESSES).map(toAddress);
  try {
    const result = await ctx.store.withTransaction(async (session) => {
      const at = ctx.clock().toISOString();
      const doc: CustomerDoc = {
        _id: newId(),
        status: 'active',
        name: input.name?.trim() ?? '',
        addresses,
        consents: applyConsents(defaultConsents(at), input.consents ?? {}, at),
        level: ctx.policy.levels[0]!.name,
        points: 0,
        lifetimePoints: 0,
        origin: input.origin,
        createdAt: at,
        updatedAt: at,
      };
      await ctx.collections.customers.insertOne(doc, { session });
      await ctx.events.publish(session, CustomerCreated, {
        subject: doc._id,
        data: { customerId: doc._id, identities: identities.map((i) => ({ kind: i.kind, verified: i.verified })) },
      });
      let customerId = doc._id;
      const merges: MergeOutcome[] = [];
      for (const identity of identities) {
        const outcome = await attachIdentity(ctx, session, customerId, identity, actor);
        customerId = outcome.customerId;
        if (outcome.merge) merges.push(outcome.merge);
      }
      return { createdId: doc._id, customerId, merges };
    });
    ctx.metrics?.customersCreated.inc({ origin: input.origin.channel });
    return result;
  } catch (err) {
    // MongoDB: a concurrent request inserted the same identity between our read and our insert.
    if (isDuplicateKeyError(err)) throw new ConflictError('identity-taken', 'An identity already belongs to another customer');
    throw err;
  }
}
