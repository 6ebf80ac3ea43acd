import type { App } from '@omni/kit';
import { createCustomer } from '../app/create-customer';
import { getCustomer } from '../app/queries/get-customer';
import type { RawIdentity } from '../app/normalise-input';
import type { CustomersContext } from '../app/context';
import { actorOf } from './access';
import { CustomerWithOutcome, StoreParams, WalkInMemberBody } from './schemas';

/**
 * Store counters register walk-in members. Guarded by `pos:sync` on the store (clerks, managers and
 * the store's POS clients hold it): the kit gives store staff no `customers:write`, and signing up a
 * member at the till is part of selling there.
 */
export function registerStoreRoutes(app: App, ctx: CustomersContext): void {
  app.post(
    '/v1/stores/:storeId/members',
    {
      config: { permission: 'pos:sync', scope: (req) => ({ storeId: (req.params as { storeId: string }).storeId }) },
      schema: {
        tags: ['stores'],
        summary: 'Register a walk-in member (member card, optional phone and email)',
        description:
          'A phone the clerk verified that belongs (verified) to an existing customer merges the new member into that customer at once.',
        params: StoreParams,
        body: WalkInMemberBody,
        response: { 201: CustomerWithOutcome },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const identities: RawIdentity[] = [{ kind: 'member_card', value: b.memberCard, verified: true }];
      if (b.phone) identities.push({ kind: 'phone', value: b.phone, verified: b.phoneVerified ?? false });
      if (b.email) identities.push({ kind: 'email', value: b.email, verified: false });
      const created = await createCustomer(
        ctx,
        { ...(b.name ? { name: b.name } : {}), identities, ...(b.consents ? { consents: b.consents } : {}), origin: { channel: 'store', storeId: req.params.storeId } },
        actorOf(req),
      );
      const customer = await getCustomer(ctx, created.createdId);
      return reply
        .code(201)
        .header('location', `/v1/customers/${created.customerId}`)
        .send({ customer, result: created.merges.length ? 'merged' : 'created', merges: created.merges });
    },
  );
}
