import type { App } from '@omni/kit';
import { addIdentity } from '../app/add-identity';
import { removeIdentity } from '../app/remove-identity';
import { addAddress, removeAddress, updateProfile } from '../app/update-profile';
import { exportCustomer } from '../app/queries/export-customer';
import { getCustomer } from '../app/queries/get-customer';
import { pointsSummary } from '../app/queries/points-query';
import type { CustomersContext } from '../app/context';
import { actorOf, selfId } from './access';
import { AddressIn, CustomerOut, Id, CustomerWithOutcome, IdentityIn, MyIdentityParams, PageQuery, UpdateProfileBody } from './schemas';
import { Type } from 'typebox';

const tags = ['me'];
const self = { permission: 'customers:self' as const };

/**
 * The customer's own profile (customer token: role customer + customerId claim). The id always
 * comes from the token, never from the request, and follows merges to the survivor.
 */
export function registerMeRoutes(app: App, ctx: CustomersContext): void {
  app.get('/v1/me', { config: self, schema: { tags, summary: 'My profile', response: { 200: CustomerOut } } }, async (req) =>
    getCustomer(ctx, selfId(req)),
  );

  app.patch(
    '/v1/me',
    { config: self, schema: { tags, summary: 'Change my name or consents', body: UpdateProfileBody, response: { 200: CustomerOut } } },
    async (req) => {
      const doc = await updateProfile(ctx, selfId(req), req.body);
      return getCustomer(ctx, doc._id);
    },
  );

  app.post(
    '/v1/me/addresses',
    { config: self, schema: { tags, summary: 'Add an address', body: AddressIn, response: { 201: CustomerOut } } },
    async (req, reply) => {
      const doc = await addAddress(ctx, selfId(req), req.body);
      return reply.code(201).send(await getCustomer(ctx, doc._id));
    },
  );

  app.delete(
    '/v1/me/addresses/:addressId',
    {
      config: self,
      schema: { tags, summary: 'Remove an address', params: Type.Object({ addressId: Id }), response: { 200: CustomerOut } },
    },
    async (req) => {
      const doc = await removeAddress(ctx, selfId(req), req.params.addressId);
      return getCustomer(ctx, doc._id);
    },
  );

  app.post(
    '/v1/me/identities',
    {
      config: self,
      schema: {
        tags,
        summary: 'Add an identity (always unverified: verification is done by a trusted service)',
        body: IdentityIn,
        response: { 200: CustomerWithOutcome },
      },
    },
    async (req) => {
      const outcome = await addIdentity(ctx, selfId(req), { ...req.body, verified: false }, actorOf(req));
      return { customer: await getCustomer(ctx, outcome.customerId), result: outcome.result, merges: [] };
    },
  );

  app.delete(
    '/v1/me/identities/:kind/:value',
    { config: self, schema: { tags, summary: 'Detach one of my identities (not the last one)', params: MyIdentityParams, response: { 200: CustomerOut } } },
    async (req) => getCustomer(ctx, await removeIdentity(ctx, selfId(req), req.params, actorOf(req))),
  );

  app.get('/v1/me/points', { config: self, schema: { tags, summary: 'My points, level and ledger', querystring: PageQuery } }, async (req) =>
    pointsSummary(ctx, selfId(req), req.query),
  );

  app.get('/v1/me/export', { config: self, schema: { tags, summary: 'Everything held about me, as JSON' } }, async (req) =>
    exportCustomer(ctx, selfId(req), actorOf(req)),
  );
}
