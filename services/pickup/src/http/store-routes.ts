import { Type } from 'typebox';
import type { App } from '@omni/kit';
import type { PickupContext } from '../app/context';
import { pauseStore, resumeStore } from '../app/pause-store';
import { storeStatus } from '../app/queries/queries';
import { updateStoreConfig } from '../app/update-store-config';
import { StoreConfigSchema, StoreParams } from './schemas';
import { requirePrincipal } from '@omni/kit';
import { storeScope } from './route-helpers';

const tags = ['pickup stores'];

const PauseView = Type.Object({
  by: Type.Optional(Type.String()),
  reason: Type.String(),
  at: Type.String(),
  overdue: Type.Optional(Type.Integer()),
});
const StoreStatusView = Type.Object({
  storeId: Type.String(),
  paused: Type.Boolean(),
  manualPause: Type.Optional(PauseView),
  automaticPause: Type.Optional(PauseView),
  config: StoreConfigSchema,
  counts: Type.Object({
    queued: Type.Integer(),
    picking: Type.Integer(),
    ready: Type.Integer(),
    overdue: Type.Integer(),
  }),
  cursor: Type.String({ description: 'Current change-feed position of the store' }),
  qrPublicKey: Type.String({
    description: 'Ed25519 public key (SPKI PEM) to verify customer QR payloads offline',
  }),
});

export function registerStoreRoutes(app: App, ctx: PickupContext): void {
  app.get(
    '/v1/stores/:storeId/pickup',
    {
      config: { permission: 'pickup:work', scope: storeScope },
      schema: {
        tags,
        description: 'Pause state, settings, queue counts and the QR verification key of a store.',
        params: StoreParams,
        response: { 200: StoreStatusView },
      },
    },
    async (req) => storeStatus(ctx, req.params.storeId),
  );

  app.put(
    '/v1/stores/:storeId/pickup/config',
    {
      config: { permission: 'pickup:manage', scope: storeScope },
      schema: {
        tags,
        description: 'Changes the store pickup settings (any subset; audited). Inconsistent settings → 422.',
        params: StoreParams,
        body: Type.Partial(StoreConfigSchema, { additionalProperties: false, minProperties: 1 }),
        response: { 200: StoreStatusView },
      },
    },
    async (req) => {
      const actor = requirePrincipal(req);
      await ctx.store.withTransaction((s) => updateStoreConfig(ctx, s, actor, req.params.storeId, req.body));
      return storeStatus(ctx, req.params.storeId);
    },
  );

  app.post(
    '/v1/stores/:storeId/pickup/pause',
    {
      config: { permission: 'pickup:manage', scope: storeScope },
      schema: {
        tags,
        description:
          'Stops new pickup orders for the store (routing skips it; audited). Orders already routed still arrive, flagged.',
        params: StoreParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: StoreStatusView },
      },
    },
    async (req) => {
      const actor = requirePrincipal(req);
      await ctx.store.withTransaction((s) => pauseStore(ctx, s, actor, req.params.storeId, req.body.reason));
      return storeStatus(ctx, req.params.storeId);
    },
  );

  app.post(
    '/v1/stores/:storeId/pickup/resume',
    {
      config: { permission: 'pickup:manage', scope: storeScope },
      schema: {
        tags,
        description:
          'Takes pickup orders again (clears manual and automatic pause; audited). Still over the overdue threshold → the next check pauses again.',
        params: StoreParams,
        response: { 200: StoreStatusView },
      },
    },
    async (req) => {
      const actor = requirePrincipal(req);
      await ctx.store.withTransaction((s) => resumeStore(ctx, s, actor, req.params.storeId));
      return storeStatus(ctx, req.params.storeId);
    },
  );
}
