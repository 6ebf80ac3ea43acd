import { Type } from 'typebox';
import type { App } from '@omni/kit';
import { viewAccount } from '../domain/account';
import { getAccount } from '../app/account-lookup';
import type { IdentityContext } from '../app/context';
import { changeOwnPassword } from '../app/passwords';
import { confirmTotpEnrolment, startTotpEnrolment } from '../app/totp-enrolment';
import { restrictionsFor } from '../app/restricted-tokens';
import { requirePrincipal } from '@omni/kit';
import { NO_STORE } from './route-config';
import { AccountViewSchema, PasswordSchema, TotpCode } from './schemas';

/** The signed-in account itself: who am I, change my password, enrol my second factor. */
export function registerMeRoutes(app: App, ctx: IdentityContext): void {
  app.get(
    '/v1/me',
    {
      config: { signedIn: true, allowRestricted: ['password-change', 'mfa-enrolment'] },
      schema: {
        tags: ['me'],
        security: [{ bearerAuth: [] }],
        response: {
          200: Type.Object({
            account: AccountViewSchema,
            token: Type.Object({
              amr: Type.Array(Type.String()),
              restrictions: Type.Array(Type.String()),
              expiresAt: Type.Optional(Type.String()),
            }),
          }),
        },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const account = await getAccount(ctx, p.sub);
      return {
        account: viewAccount(account),
        token: {
          amr: p.amr,
          restrictions: restrictionsFor(p) ?? [],
          ...(p.expiresAt ? { expiresAt: new Date(p.expiresAt * 1000).toISOString() } : {}),
        },
      };
    },
  );

  app.post(
    '/v1/me/password',
    {
      config: { signedIn: true, allowRestricted: ['password-change'], idempotency: false },
      schema: {
        tags: ['me'],
        security: [{ bearerAuth: [] }],
        description:
          'Change the own password (also with a `pwd_expired` token). Every session ends: sign in again with the new password.',
        body: Type.Object(
          { currentPassword: PasswordSchema, newPassword: PasswordSchema },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      await changeOwnPassword(ctx, requirePrincipal(req), req.body, { ip: req.ip, requestId: req.id });
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/me/totp',
    {
      config: { signedIn: true, allowRestricted: ['mfa-enrolment'], idempotency: false },
      schema: {
        tags: ['me'],
        security: [{ bearerAuth: [] }],
        description: 'Start TOTP enrolment: the otpauth:// URI (QR code content) is returned this once.',
        response: { 201: Type.Object({ otpauthUri: Type.String() }) },
      },
    },
    async (req, reply) => {
      const result = await startTotpEnrolment(ctx, requirePrincipal(req));
      return reply.code(201).headers(NO_STORE).send(result);
    },
  );

  app.post(
    '/v1/me/totp/confirm',
    {
      config: { signedIn: true, allowRestricted: ['mfa-enrolment'] },
      schema: {
        tags: ['me'],
        security: [{ bearerAuth: [] }],
        description: 'Confirm the enrolment with a first code; from now on sign-in needs a code.',
        body: Type.Object({ code: TotpCode }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      await confirmTotpEnrolment(ctx, requirePrincipal(req), req.body.code, {
        ip: req.ip,
        requestId: req.id,
      });
      return reply.code(204).send();
    },
  );
}
