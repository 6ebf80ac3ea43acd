import { Type } from 'typebox';
import type { App, Principal } from '@omni/kit';
import type { IdentityContext } from '../app/context';
import { rotateSigningKey } from '../app/rotate-keys';

const KeyInfo = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  state: Type.String(),
  createdAt: Type.String(),
  activatesAt: Type.String(),
  activeUntil: Type.Optional(Type.String()),
  publishUntil: Type.Optional(Type.String()),
});

export function registerKeyRoutes(app: App, ctx: IdentityContext): void {
  app.get(
    '/v1/keys',
    {
      config: { permission: 'identity:manage' },
      schema: {
        tags: ['keys'],
        description: 'Signing keys (public metadata only).',
        response: { 200: Type.Object({ items: Type.Array(KeyInfo) }) },
      },
    },
    async () => ({ items: ctx.keys.list() }),
  );

  app.post(
    '/v1/keys/rotate',
    {
      config: { permission: 'identity:manage' },
      schema: {
        tags: ['keys'],
        description:
          'Rotate the signing key without downtime: the new key is published now and signs after `activateInSeconds` ' +
          '(default from settings); the old key stays published until its tokens expired.',
        body: Type.Optional(
          Type.Object(
            { activateInSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 201: KeyInfo },
      },
    },
    async (req, reply) => {
      const key = await rotateSigningKey(
        ctx,
        req.body?.activateInSeconds ?? ctx.settings.keyActivationDelaySeconds,
        {
          actor: req.principal as Principal,
          ip: req.ip,
          requestId: req.id,
        },
      );
      return reply.code(201).send(key);
    },
  );
}
