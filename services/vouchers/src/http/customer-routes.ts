import { Type } from 'typebox';
import { requirePrincipal, withCursor, type App } from '@omni/kit';
import type { VouchersContext } from '../app/context';
import { myVouchers, orderVouchers } from '../app/queries';
import { refundVoucher } from '../app/refund';
import { customerVoucherView } from '../app/views';
import { CustomerVoucherView, Id, PageQuery, Paged, VoucherParams, VoucherStatus } from './schemas';

const tags = ['vouchers (customer)'];

export function registerCustomerRoutes(app: App, ctx: VouchersContext): void {
  app.get(
    '/v1/me/vouchers',
    {
      config: { permission: 'vouchers:own' },
      schema: {
        tags,
        description: "The customer's vouchers, newest first, with code and signed QR while redeemable.",
        querystring: Type.Object(
          { status: Type.Optional(VoucherStatus), ...PageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Paged(CustomerVoucherView) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const page = await withCursor(() => myVouchers(ctx, requirePrincipal(req), req.query));
      return { items: page.items.map((v) => customerVoucherView(ctx, v)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/orders/:orderId/vouchers',
    {
      config: { permission: 'vouchers:own' },
      schema: {
        tags,
        description:
          "The vouchers bought in one of the customer's orders (issued once the order is confirmed).",
        params: Type.Object({ orderId: Id }),
        response: { 200: Type.Object({ items: Type.Array(CustomerVoucherView) }) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const found = await orderVouchers(ctx, requirePrincipal(req), req.params.orderId);
      return { items: found.map((v) => customerVoucherView(ctx, v)) };
    },
  );

  app.post(
    '/v1/me/vouchers/:voucherId/refund',
    {
      config: { permission: 'vouchers:own' },
      schema: {
        tags,
        description:
          "Pays back the unused part of one of the customer's vouchers (all of an unused one; the rest of a partly used value voucher), through the order's payment, when the offer allows refunds on request.",
        params: VoucherParams,
        response: { 200: CustomerVoucherView },
      },
    },
    async (req) =>
      customerVoucherView(ctx, await refundVoucher(ctx, requirePrincipal(req), req.params.voucherId)),
  );
}
