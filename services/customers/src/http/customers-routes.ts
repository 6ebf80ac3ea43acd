import { Type } from 'typebox';
import type { App } from '@omni/kit';
import { addIdentity } from '../app/add-identity';
import { removeIdentity } from '../app/remove-identity';
import { adjustPoints } from '../app/adjust-points';
import { createCustomer } from '../app/create-customer';
import { eraseCustomer } from '../app/erase-customer';
import { mergeCustomers } from '../app/merge-customers';
import { addAddress, removeAddress, updateProfile } from '../app/update-profile';
import { exportCustomer } from '../app/queries/export-customer';
import { getCustomer, lookupCustomer } from '../app/queries/get-customer';
import { listCustomers } from '../app/queries/list-customers';
import { listStoreSales } from '../app/queries/store-sales';
import { pointsSummary, reconcilePoints } from '../app/queries/points-query';
import type { CustomersContext } from '../app/context';
import { actorOf, authorizeCustomerRead } from './access';
import {
  AddressIn,
  AddressParams,
  AdjustPointsBody,
  CreateCustomerBody,
  CustomerOut,
  CustomerWithOutcome,
  EraseBody,
  IdentityIn,
  IdentityParams,
  IdParams,
  ListQuery,
  LookupQuery,
  MergeBody,
  MergeOut,
  PageQuery,
  PointsBalanceOut,
  StoreSalePageOut,
  UpdateProfileBody,
} from './schemas';

const tags = ['customers'];

/** Staff, ops and service routes on customers by id (the customer's own routes are in me-routes). */
export function registerCustomerRoutes(app: App, ctx: CustomersContext): void {
  app.get(
    '/v1/ops/store-sales',
    {
      // Whoever reconciles customer records (merges) also matches till sales to members.
      config: { permission: 'customers:merge' },
      schema: {
        tags,
        summary: 'Till sales and returns naming a member, newest first; `status=unknown-member` lists those nobody holds',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('matched'), Type.Literal('unknown-member')])),
            ...PageQuery.properties,
          },
          { additionalProperties: false },
        ),
        response: { 200: StoreSalePageOut },
      },
    },
    async (req) => {
      const { status, limit, cursor } = req.query;
      return listStoreSales(ctx, { ...(status ? { status } : {}), limit, ...(cursor ? { cursor } : {}) });
    },
  );

  app.post(
    '/v1/customers',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Create a customer with its identities (409 if one belongs to another customer)',
        body: CreateCustomerBody,
        response: { 201: CustomerWithOutcome },
      },
    },
    async (req, reply) => {
      const { channel, ...rest } = req.body;
      const created = await createCustomer(ctx, { ...rest, origin: { channel: channel ?? 'online' } }, actorOf(req));
      const customer = await getCustomer(ctx, created.createdId);
      return reply
        .code(201)
        .header('location', `/v1/customers/${created.customerId}`)
        .send({ customer, result: created.merges.length ? 'merged' : 'created', merges: created.merges });
    },
  );

  app.get(
    '/v1/customers',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'List customers (oldest first)', querystring: ListQuery } },
    async (req) => listCustomers(ctx, req.query),
  );

  app.get(
    '/v1/customers/lookup',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: 'Find a customer by any identity (email, phone, member card, messaging id)', querystring: LookupQuery, response: { 200: CustomerOut } },
    },
    async (req) => lookupCustomer(ctx, req.query.kind, req.query.value),
  );

  app.get(
    '/v1/customers/:id',
    {
      schema: {
        tags,
        summary: 'A customer, following merges (resolvedFrom is set when the id was merged)',
        description: 'Requires `customers:read`, or a customer token of this customer.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: CustomerOut },
      },
    },
    async (req) => {
      await authorizeCustomerRead(ctx, req, req.params.id);
      return getCustomer(ctx, req.params.id);
    },
  );

  app.patch(
    '/v1/customers/:id',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Change name or consents', params: IdParams, body: UpdateProfileBody, response: { 200: CustomerOut } },
    },
    async (req) => {
      const doc = await updateProfile(ctx, req.params.id, req.body);
      return getCustomer(ctx, doc._id);
    },
  );

  app.post(
    '/v1/customers/:id/identities',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Add or verify an identity',
        description:
          'A verified phone that another live customer holds verified merges the two (older record survives). A verified identity held unverified by another customer moves here. Any other clash is a 409.',
        params: IdParams,
        body: IdentityIn,
        response: { 200: CustomerWithOutcome },
      },
    },
    async (req) => {
      const outcome = await addIdentity(ctx, req.params.id, req.body, actorOf(req));
      return { customer: await getCustomer(ctx, outcome.customerId), result: outcome.result, merges: outcome.merge ? [outcome.merge] : [] };
    },
  );

  app.delete(
    '/v1/customers/:id/identities/:kind/:value',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Detach an identity (frees it; the last one cannot go); audited', params: IdentityParams, response: { 200: CustomerOut } },
    },
    async (req) => getCustomer(ctx, await removeIdentity(ctx, req.params.id, req.params, actorOf(req))),
  );

  app.post(
    '/v1/customers/:id/addresses',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Add an address', params: IdParams, body: AddressIn, response: { 201: CustomerOut } },
    },
    async (req, reply) => {
      const doc = await addAddress(ctx, req.params.id, req.body);
      return reply.code(201).send(await getCustomer(ctx, doc._id));
    },
  );

  app.delete(
    '/v1/customers/:id/addresses/:addressId',
    { config: { permission: 'customers:write' }, schema: { tags, summary: 'Remove an address', params: AddressParams, response: { 200: CustomerOut } } },
    async (req) => {
      const doc = await removeAddress(ctx, req.params.id, req.params.addressId);
      return getCustomer(ctx, doc._id);
    },
  );

  app.post(
    '/v1/customers/merge',
    {
      config: { permission: 'customers:merge' },
      schema: {
        tags,
        summary: 'Merge two records of one person (idempotent; audited)',
        description:
          'Points, lifetime points, the higher level, addresses, identities, order references move to the survivor (the older record unless survivorId says otherwise). Consents: the most restrictive wins (granted only if both records granted). The other record becomes a tombstone pointing to the survivor.',
        body: MergeBody,
        response: { 200: MergeOut },
      },
    },
    async (req) => {
      const [a, b] = req.body.customerIds as [string, string];
      return mergeCustomers(ctx, {
        customerIds: [a, b],
        ...(req.body.survivorId ? { survivorId: req.body.survivorId } : {}),
        trigger: 'manual',
        reason: req.body.reason,
        actor: actorOf(req),
      });
    },
  );

  app.get(
    '/v1/customers/:id/points',
    {
      schema: {
        tags,
        summary: 'Points balance, level, next expiry and the ledger (newest first)',
        description: 'Requires `customers:read`, or a customer token of this customer.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        querystring: PageQuery,
      },
    },
    async (req) => {
      await authorizeCustomerRead(ctx, req, req.params.id);
      return pointsSummary(ctx, req.params.id, req.query);
    },
  );

  app.get(
    '/v1/customers/:id/points/reconciliation',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: 'Proves the balance of one record: cached balance vs. sum of its ledger vs. sum of its lots',
        params: IdParams,
        response: {
          200: Type.Object({ customerId: Type.String(), balance: Type.Integer(), ledgerSum: Type.Integer(), lotsSum: Type.Integer(), consistent: Type.Boolean() }),
        },
      },
    },
    async (req) => reconcilePoints(ctx, req.params.id),
  );

  app.post(
    '/v1/customers/:id/points/adjustments',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Credit or debit points by hand (goodwill, corrections); idempotent by operationId; audited',
        params: IdParams,
        body: AdjustPointsBody,
        response: { 200: PointsBalanceOut },
      },
    },
    async (req) => adjustPoints(ctx, { customerId: req.params.id, ...req.body, actor: actorOf(req) }),
  );

  app.get(
    '/v1/customers/:id/export',
    {
      config: { permission: 'customers:erase' },
      schema: { tags, summary: 'Everything held about the customer, as JSON (data access request; audited)', params: IdParams },
    },
    async (req) => exportCustomer(ctx, req.params.id, actorOf(req)),
  );

  app.post(
    '/v1/customers/:id/erase',
    {
      config: { permission: 'customers:erase' },
      // The body (a reason) is optional: an empty request is an empty body.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags,
        summary: 'Erase personal data; identities freed; record kept anonymised (idempotent; audited)',
        params: IdParams,
        body: EraseBody,
        response: { 200: Type.Object({ customerId: Type.String(), erased: Type.Boolean(), identitiesFreed: Type.Integer() }) },
      },
    },
    async (req) => eraseCustomer(ctx, req.params.id, actorOf(req), req.body.reason),
  );
}
