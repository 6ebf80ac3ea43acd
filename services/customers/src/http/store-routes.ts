import { StoreId, type App } from '@omni/kit';
import { createCustomer } from '../app/create-customer';
import { getCustomer } from '../app/queries/get-customer';
import type { RawIdentity } from '../app/normalise-input';
import type { CustomersContext } from '../app/context';
import { actorOf } from './access';
import { issuePresenceCode, type MemberNotifier } from '../app/member-presence';
import { CustomerWithOutcome, Id, StoreParams, WalkInMemberBody } from './schemas';
import { Type } from 'typebox';

/**
 * Store counters register walk-in members. Guarded by `pos:sync` on the store (clerks, managers and
 * the store's POS clients hold it): the kit gives store staff no `customers:write`, and signing up a
 * member at the till is part of selling there.
 */
export function registerStoreRoutes(app: App, ctx: CustomersContext, notifier?: MemberNotifier): void {
  app.post(
    '/v1/stores/:storeId/members/:customerId/presence-codes',
    {
      config: { permission: 'pos:sync', scope: (req) => ({ storeId: (req.params as { storeId: string }).storeId }) },
      schema: {
        tags: ['stores'],
        summary: 'Send the member a one-time code that proves they are at the counter',
        description:
          'Before store staff spend a member’s points (an order with `pointsToRedeem` placed by staff), the member proves presence: their member card, or this code (6 digits, 5 minutes, single use, 3 tries), sent to the member and read out by them. Returns the `codeId` to place the order with. Unknown customer → 404.',
        params: Type.Object({ storeId: StoreId, customerId: Id }),
        response: {
          201: Type.Object({ codeId: Type.String(), customerId: Type.String(), expiresAt: Type.String() }),
        },
      },
    },
    async (req, reply) => {
      const issued = await issuePresenceCode(ctx, notifier, req.params, actorOf(req));
      return reply.code(201).send(issued);
    },
  );


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
