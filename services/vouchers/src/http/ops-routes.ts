import { Type } from 'typebox';
import { actorOf, BadRequestError, requirePrincipal, withCursor, type App, type Scope } from '@omni/kit';
import type { FastifyRequest } from 'fastify';
import { requireStore, type VouchersContext } from '../app/context';
import { listConflicts, settlement, voucherTrace } from '../app/queries';
import { refundVoucher } from '../app/refund';
import { resolveConflict } from '../app/resolve-conflict';
import { conflictView, redemptionView, staffVoucherView } from '../app/views';
import {
  ConflictView,
  Id,
  IsoTime,
  MoneyView,
  PageQuery,
  Paged,
  RedemptionView,
  StaffVoucherView,
  StoreParams,
  VoucherParams,
} from './schemas';

const tags = ['vouchers (ops)'];
const manage = { permission: 'vouchers:manage' as const };
const storeScope = (req: FastifyRequest): Scope => ({ storeId: (req.params as { storeId: string }).storeId });

const Trace = Type.Object({
  voucher: Type.Object({
    ...StaffVoucherView.properties,
    pricePaid: MoneyView,
    customerId: Type.Optional(Type.String()),
    issuedAt: Type.String(),
    closedAt: Type.Optional(Type.String()),
    refund: Type.Optional(
      Type.Object({ refundId: Type.String(), amount: MoneyView, reason: Type.String(), at: Type.String() }),
    ),
  }),
  redemptions: Type.Array(RedemptionView),
  conflicts: Type.Array(ConflictView),
});

export function registerOpsRoutes(app: App, ctx: VouchersContext): void {
  app.get(
    '/v1/vouchers/:voucherId',
    {
      config: manage,
      schema: {
        tags,
        description:
          'Trace of one voucher (never its code): its order, and every redemption with store, clerk, amount, settlement and stock movement; its conflicts.',
        params: VoucherParams,
        response: { 200: Trace },
      },
    },
    async (req) => {
      const t = await voucherTrace(ctx, req.params.voucherId);
      const v = t.voucher;
      return {
        voucher: {
          ...staffVoucherView(v),
          pricePaid: v.pricePaid,
          ...(v.customerId ? { customerId: v.customerId } : {}),
          issuedAt: v.issuedAt,
          ...(v.closedAt ? { closedAt: v.closedAt } : {}),
          ...(v.refund ? { refund: v.refund } : {}),
        },
        redemptions: t.redemptions.map(redemptionView),
        conflicts: t.conflicts.map(conflictView),
      };
    },
  );

  app.post(
    '/v1/vouchers/:voucherId/refund',
    {
      config: manage,
      schema: {
        tags,
        description:
          "Ops pays back a voucher's unused part on the customer's behalf (whatever the offer's refund rule). Audited.",
        params: VoucherParams,
        response: { 200: Type.Object({ voucher: StaffVoucherView }) },
      },
    },
    async (req) => {
      const v = await refundVoucher(ctx, requirePrincipal(req), req.params.voucherId);
      await ctx.audit.record({
        actor: actorOf(req),
        action: 'vouchers.voucher.refund',
        target: { type: 'voucher', id: v._id },
        details: { amount: v.refund?.amount },
      });
      return { voucher: staffVoucherView(v) };
    },
  );

  app.get(
    '/v1/voucher-conflicts',
    {
      config: manage,
      schema: {
        tags,
        description:
          'Redemptions the service would not accept (double redemption across stores while offline, limits, order cancelled after use, stock not moved), oldest first.',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Paged(ConflictView) },
      },
    },
    async (req) => {
      const page = await withCursor(() => listConflicts(ctx, req.query));
      return { items: page.items.map(conflictView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/voucher-conflicts/:conflictId/resolve',
    {
      config: manage,
      schema: {
        tags,
        description: 'Closes a conflict with what was done about it. Audited.',
        params: Type.Object({ conflictId: Id }),
        body: Type.Object(
          { resolution: Type.String({ minLength: 1, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 200: ConflictView },
      },
    },
    async (req) =>
      conflictView(await resolveConflict(ctx, actorOf(req), req.params.conflictId, req.body.resolution)),
  );

  app.get(
    '/v1/stores/:storeId/vouchers/settlement',
    {
      config: { ...manage, scope: storeScope },
      schema: {
        tags,
        description:
          'What the store redeemed in [from, to) and what it is owed for it (the share of what customers paid), per offer and currency.',
        params: StoreParams,
        querystring: Type.Object({ from: IsoTime, to: IsoTime }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            storeId: Type.String(),
            from: Type.String(),
            to: Type.String(),
            redemptions: Type.Integer(),
            lines: Type.Array(
              Type.Object({
                offerId: Type.String(),
                currency: Type.String(),
                redemptions: Type.Integer(),
                faceRedeemedMinor: Type.Integer(),
                owedMinor: Type.Integer(),
              }),
            ),
            owed: Type.Array(MoneyView),
          }),
        },
      },
    },
    async (req) => {
      requireStore(ctx, req.params.storeId);
      const from = new Date(req.query.from).toISOString();
      const to = new Date(req.query.to).toISOString();
      if (from >= to)
        throw new BadRequestError('from must be before to', [
          { field: 'querystring/to', message: 'must be after from' },
        ]);
      if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000)
        throw new BadRequestError('at most one year per report', [
          { field: 'querystring/to', message: 'at most 366 days after from' },
        ]);
      return settlement(ctx, req.params.storeId, from, to);
    },
  );
}
