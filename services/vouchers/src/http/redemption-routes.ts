import { Type } from 'typebox';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  requirePrincipal,
  withCursor,
  type App,
  type Scope,
} from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import { requireStore, type VouchersContext } from '../app/context';
import { storeRedemptions } from '../app/queries';
import { redeem, type Proof, type RedeemOutcome } from '../app/redeem';
import { syncOffline } from '../app/sync-offline';
import { redemptionView, staffVoucherView } from '../app/views';
import {
  ClientOpId,
  Code,
  IsoTime,
  PageQuery,
  Paged,
  Qr,
  RedemptionView,
  StaffVoucherView,
  StoreParams,
} from './schemas';

const tags = ['voucher redemption (store counter)'];
const storeScope = (req: FastifyRequest): Scope => ({ storeId: (req.params as { storeId: string }).storeId });
const redeemAt = { permission: 'vouchers:redeem' as const, scope: storeScope };

const Amount = Type.Integer({
  minimum: 1,
  maximum: 100_000_000,
  description: 'Value vouchers: face value to take, minor units',
});
const RedeemBody = Type.Union([
  Type.Object({ code: Code, amountMinor: Type.Optional(Amount) }, { additionalProperties: false }),
  Type.Object({ qr: Qr, amountMinor: Type.Optional(Amount) }, { additionalProperties: false }),
]);

const OfflineRedemption = Type.Union([
  Type.Object(
    { clientOpId: ClientOpId, at: IsoTime, code: Code, amountMinor: Type.Optional(Amount) },
    { additionalProperties: false },
  ),
  Type.Object(
    { clientOpId: ClientOpId, at: IsoTime, qr: Qr, amountMinor: Type.Optional(Amount) },
    { additionalProperties: false },
  ),
]);

const SyncResultView = Type.Object({
  clientOpId: Type.String(),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('rejected'), Type.Literal('conflict')]),
  replayed: Type.Boolean(),
  voucherId: Type.Optional(Type.String()),
  redemptionId: Type.Optional(Type.String()),
  conflictId: Type.Optional(Type.String()),
  error: Type.Optional(Type.Object({ type: Type.String(), detail: Type.String() })),
});

const proofOf = (b: { code: string } | { qr: string }): Proof =>
  'code' in b ? { code: b.code } : { qr: b.qr };

/** A refused redemption as problem+json: 404 unknown code, 409 no longer redeemable, 422 not here/now/this much. */
export function redeemAnswer(outcome: RedeemOutcome) {
  switch (outcome.kind) {
    case 'redeemed':
      return { redemption: redemptionView(outcome.redemption), voucher: staffVoucherView(outcome.voucher) };
    case 'not-found':
      throw new NotFoundError('voucher', undefined, `voucher-${outcome.reason}`);
    case 'refused': {
      const ext = { voucherId: outcome.voucher._id, status: outcome.voucher.status };
      const detail = `voucher ${outcome.voucher._id} cannot be redeemed: ${outcome.reason}`;
      if (['already-used', 'refunded', 'void', 'expired'].includes(outcome.reason))
        throw new ConflictError(`voucher-${outcome.reason}`, detail, ext);
      throw new UnprocessableError(`voucher-${outcome.reason}`, detail, ext);
    }
  }
}

export function registerRedemptionRoutes(app: App, ctx: VouchersContext): void {
  app.post(
    '/v1/stores/:storeId/vouchers/redemptions',
    {
      config: redeemAt,
      schema: {
        tags,
        description:
          "Redeems a voucher by its typed code or scanned QR at this store: a one-use voucher fully, a value voucher by `amountMinor` (default: all that is left). Checks the validity window, excluded days, the stores of the offer and its per-store / per-voucher daily limits; a goods voucher sells its goods from this store's stock. Unknown codes count against the counter's and the store's look-up budget (429 when spent).",
        params: StoreParams,
        body: RedeemBody,
        response: { 201: Type.Object({ redemption: RedemptionView, voucher: StaffVoucherView }) },
      },
    },
    async (req, reply) => {
      requireStore(ctx, req.params.storeId);
      const p = requirePrincipal(req);
      const outcome = await redeem(ctx, {
        storeId: req.params.storeId,
        clerk: p.sub,
        proof: proofOf(req.body),
        ...(req.body.amountMinor !== undefined ? { amountMinor: req.body.amountMinor } : {}),
        at: ctx.clock(),
        offline: false,
      });
      const answer = redeemAnswer(outcome);
      reply.code(201);
      return answer;
    },
  );

  app.post(
    '/v1/stores/:storeId/vouchers/offline-redemptions',
    {
      config: redeemAt,
      schema: {
        tags,
        description:
          'Redemptions a counter accepted while offline (on the signed QR, verified with the key from `/v1/vouchers/qr-key`), applied in order and exactly once per `clientOpId`. One the server cannot accept — the voucher already redeemed elsewhere, a limit reached — is a `conflict` kept for ops, never applied twice.',
        params: StoreParams,
        body: Type.Object(
          { redemptions: Type.Array(OfflineRedemption, { minItems: 1, maxItems: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ results: Type.Array(SyncResultView) }) },
      },
    },
    async (req) => {
      requireStore(ctx, req.params.storeId);
      const p = requirePrincipal(req);
      const results = await syncOffline(
        ctx,
        req.params.storeId,
        p.sub,
        req.body.redemptions.map((r) => ({
          clientOpId: r.clientOpId,
          at: r.at,
          proof: proofOf(r),
          ...(r.amountMinor !== undefined ? { amountMinor: r.amountMinor } : {}),
        })),
      );
      return { results };
    },
  );

  app.get(
    '/v1/stores/:storeId/vouchers/redemptions',
    {
      config: redeemAt,
      schema: {
        tags,
        description: "The store's redemptions, newest first.",
        params: StoreParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Paged(RedemptionView) },
      },
    },
    async (req) => {
      requireStore(ctx, req.params.storeId);
      const page = await withCursor(() => storeRedemptions(ctx, req.params.storeId, req.query));
      return { items: page.items.map(redemptionView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/vouchers/qr-key',
    {
      config: { permission: 'vouchers:redeem' },
      schema: {
        tags,
        description:
          'The Ed25519 public key (SPKI PEM) counters verify voucher QR payloads with, offline too.',
        response: { 200: Type.Object({ alg: Type.Literal('Ed25519'), publicKeyPem: Type.String() }) },
      },
    },
    async () => ({ alg: 'Ed25519' as const, publicKeyPem: ctx.codes.qrPublicKeyPem() }),
  );
}
