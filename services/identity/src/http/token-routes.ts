import { decodeJwt } from 'jose';
import type { App } from '@omni/kit';
import { clientCredentials } from '../app/client-credentials';
import type { IdentityContext } from '../app/context';
import { invalidRequest } from '../app/errors';
import { logout } from '../app/logout';
import { refreshSession } from '../app/refresh-session';
import { signInWithPassword } from '../app/sign-in-with-password';
import { requirePrincipal } from '@omni/kit';
import { NO_STORE } from './route-config';
import { TokenRequest, TokenResponseSchema } from './schemas';

export function registerTokenRoutes(app: App, ctx: IdentityContext): void {
  app.post(
    '/v1/auth/token',
    {
      // Needs no bearer token; one sent along (even a restricted one) is ignored. Tokens in the
      // response must never be kept by the Idempotency-Key store.
      config: { allowRestricted: ['password-change', 'mfa-enrolment'], idempotency: false, public: true },
      schema: {
        tags: ['auth'],
        description:
          'OAuth 2.0-style token endpoint (JSON body). `password` (+ `totp` where enrolled), `refresh_token` ' +
          '(one-time: each use returns the next one), `client_credentials` (service clients, optional `scope` subset).',
        body: TokenRequest,
        response: { 200: TokenResponseSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const meta = { ip: req.ip, requestId: req.id };
      reply.headers(NO_STORE);
      switch (b.grant_type) {
        case 'password':
          if (!b.username || !b.password) throw invalidRequest('username and password are required');
          return signInWithPassword(ctx, {
            username: b.username,
            password: b.password,
            totp: b.totp,
            ...meta,
          });
        case 'refresh_token':
          if (!b.refresh_token) throw invalidRequest('refresh_token is required');
          return refreshSession(ctx, { refreshToken: b.refresh_token, ...meta });
        case 'client_credentials':
          if (!b.client_id || !b.client_secret)
            throw invalidRequest('client_id and client_secret are required');
          return clientCredentials(ctx, {
            clientId: b.client_id,
            clientSecret: b.client_secret,
            scope: b.scope,
            ip: req.ip,
          });
      }
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { signedIn: true, allowRestricted: ['password-change', 'mfa-enrolment'], idempotency: false },
      schema: {
        tags: ['auth'],
        description:
          'Ends the session of the bearer token: its refresh family and every access token minted from it.',
        security: [{ bearerAuth: [] }],
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      const token = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
      const sid = decodeJwt(token).sid;
      await logout(ctx, principal, typeof sid === 'string' ? sid : undefined);
      return reply.code(204).send();
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        description: 'Public keys that verify Omni access tokens (all keys whose tokens may still be valid).',
      },
    },
    async (_req, reply) => {
      // Short cache: a rotated-in key is published before it signs; verifiers refetch on an unknown kid.
      reply.header('cache-control', 'public, max-age=60');
      return ctx.keys.jwks();
    },
  );

  app.get(
    '/.well-known/openid-configuration',
    { schema: { tags: ['auth'], description: 'Discovery document (issuer, token endpoint, JWKS).' } },
    async () => {
      // The configured URL, never the Host header: a forged Host would otherwise be echoed into
      // the endpoints a client then sends its credentials to.
      const base = ctx.publicUrl();
      return {
        issuer: ctx.settings.issuer,
        token_endpoint: `${base}/v1/auth/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        id_token_signing_alg_values_supported: ['ES256'],
      };
    },
  );
}
