import { Type } from 'typebox';
import { type App, authorize, type Principal, requirePrincipal, UnprocessableError } from '@omni/kit';
import { requiresMfa, viewAccount } from '../domain/account';
import { getAccount } from '../app/account-lookup';
import type { IdentityContext } from '../app/context';
import { createAccount } from '../app/create-account';
import { resetPassword } from '../app/passwords';
import { listAccounts } from '../app/queries/accounts-query';
import type { RequestMeta } from '../app/request-meta';
import { revokeAccountTokens } from '../app/revoke-account-tokens';
import { setAccountStatus } from '../app/set-account-status';
import { rotateClientSecret, unlockAccount } from '../app/client-secrets';
import { resetTotp } from '../app/totp-enrolment';
import { updateAccount } from '../app/update-account';
import { NO_STORE } from './route-config';
import {
  AccountViewSchema,
  CreateAccountBody,
  ExternalId,
  IdParams,
  KindSchema,
  Paging,
  PasswordSchema,
  UpdateAccountBody,
} from './schemas';

/** Account administration is ops-only with a second factor (`identity:manage`, see the kit). */
const manage = { permission: 'identity:manage' as const };
const tags = ['accounts'];

export function registerAccountRoutes(app: App, ctx: IdentityContext): void {
  const meta = (req: { principal: Principal | null; ip: string; id: string }): RequestMeta => ({
    actor: req.principal as Principal,
    ip: req.ip,
    requestId: req.id,
  });
  app.post(
    '/v1/accounts',
    {
      // Sign-up clients (a storefront) pass here too, for customer accounts only (checked below).
      config: { permission: 'identity:signup', idempotency: false },
      schema: {
        tags,
        description:
          'Create a named account (ops with MFA; `identity:signup` clients: customer accounts only). Service ' +
          'clients get a generated `clientSecret`, returned this once. Passwords chosen here are temporary ' +
          'unless `mustChangePassword: false`; accounts that need MFA (ops, store managers) always get a ' +
          'temporary password and enrol TOTP at their first sign-in.',
        body: CreateAccountBody,
        response: {
          201: Type.Object({ account: AccountViewSchema, clientSecret: Type.Optional(Type.String()) }),
        },
      },
    },
    async (req, reply) => {
      const actor = requirePrincipal(req);
      // Only a sign-up client creating a customer skips account administration's rule (ops + MFA).
      if (actor.role !== 'service' || req.body.kind !== 'customer') authorize(actor, 'identity:manage');
      // Whoever creates a privileged account must not know its lasting password: the holder sets
      // their own and enrols a second factor before the account can do anything.
      if (
        requiresMfa({ kind: req.body.kind, stores: req.body.stores }) &&
        req.body.mustChangePassword === false
      )
        throw new UnprocessableError(
          'temporary-password-required',
          'Accounts that need MFA get a temporary password: they set their own and enrol TOTP at first sign-in',
        );
      const created = await createAccount(ctx, req.body, meta(req));
      return reply
        .code(201)
        .header('location', `/v1/accounts/${created.account.id}`)
        .headers(NO_STORE)
        .send(created);
    },
  );

  app.get(
    '/v1/accounts',
    {
      config: manage,
      schema: {
        tags,
        querystring: Type.Object(
          {
            kind: Type.Optional(KindSchema),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            storeId: Type.Optional(ExternalId),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(AccountViewSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => listAccounts(ctx, req.query),
  );

  app.get(
    '/v1/accounts/:id',
    { config: manage, schema: { tags, params: IdParams, response: { 200: AccountViewSchema } } },
    async (req) => viewAccount(await getAccount(ctx, req.params.id)),
  );

  app.patch(
    '/v1/accounts/:id',
    {
      config: manage,
      schema: {
        tags,
        description:
          "Change display name, store roles or service scopes; changed bindings revoke the account's tokens.",
        params: IdParams,
        body: UpdateAccountBody,
        response: { 200: AccountViewSchema },
      },
    },
    async (req) => {
      return updateAccount(ctx, req.params.id, req.body, meta(req));
    },
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/v1/accounts/:id/${action}`,
      {
        config: manage,
        schema: {
          tags,
          description:
            action === 'disable'
              ? 'Disable: every token of the account stops working everywhere.'
              : 'Enable a disabled account.',
          params: IdParams,
          response: { 200: AccountViewSchema },
        },
      },
      async (req) => setAccountStatus(ctx, req.params.id, status, meta(req)),
    );
  }

  app.post(
    '/v1/accounts/:id/revoke-tokens',
    {
      config: manage,
      schema: {
        tags,
        description:
          'Every token of the account issued until now stops working everywhere; its sessions end.',
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Type.Object({ issuedBefore: Type.Integer() }) },
      },
    },
    async (req) => {
      return revokeAccountTokens(ctx, req.params.id, req.body?.reason ?? 'ops', meta(req));
    },
  );

  app.post(
    '/v1/accounts/:id/password',
    {
      config: { ...manage, idempotency: false },
      schema: {
        tags,
        description:
          'Set a password (temporary by default: changed at the next sign-in). Ends every session and lifts a lockout.',
        params: IdParams,
        body: Type.Object(
          { password: PasswordSchema, mustChange: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await resetPassword(ctx, req.params.id, req.body, meta(req));
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/accounts/:id/client-secret',
    {
      config: { ...manage, idempotency: false },
      schema: {
        tags,
        description:
          'Issue a new client secret (returned this once); tokens got with the old one are revoked.',
        params: IdParams,
        response: { 200: Type.Object({ clientSecret: Type.String() }) },
      },
    },
    async (req, reply) => {
      return reply.headers(NO_STORE).send(await rotateClientSecret(ctx, req.params.id, meta(req)));
    },
  );

  app.delete(
    '/v1/accounts/:id/totp',
    {
      config: manage,
      schema: {
        tags,
        description: 'Remove a lost second factor; tokens revoked; the account enrols again.',
        params: IdParams,
      },
    },
    async (req, reply) => {
      await resetTotp(ctx, req.params.id, meta(req));
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/accounts/:id/unlock',
    { config: manage, schema: { tags, description: 'Lift a sign-in lockout.', params: IdParams } },
    async (req, reply) => {
      await unlockAccount(ctx, req.params.id, meta(req));
      return reply.code(204).send();
    },
  );
}
