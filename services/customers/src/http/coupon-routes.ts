import { Type } from 'typebox';
import type { App } from '@omni/kit';
import { issueCoupon, listCoupons } from '../app/coupons';
import type { CustomersContext } from '../app/context';
import { actorOf, authorizeCustomerRead } from './access';
import { Id, IdParams, PageQuery } from './schemas';

const tags = ['coupons'];

const MoneyIn = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }),
  },
  { additionalProperties: false },
);

const IssueCouponBody = Type.Object(
  {
    couponId: Type.Optional(Id),
    value: MoneyIn,
    reason: Type.Union([Type.Literal('goodwill'), Type.Literal('promotion'), Type.Literal('late_delivery')]),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_650 })),
  },
  { additionalProperties: false },
);

const CouponsQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('redeemed'), Type.Literal('expired')]),
    ),
  },
  { additionalProperties: false },
);

/** The coupon wallet: ops issue; the customer (or staff/ops with customers:read) lists. */
export function registerCouponRoutes(app: App, ctx: CustomersContext, defaultValidDays: number): void {
  app.post(
    '/v1/customers/:id/coupons',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: "Issue a coupon to a customer's wallet (audited)",
        description:
          'Ops (customers:write). Idempotent by `couponId` (same id and content → the first coupon, 200; other content → 409 `coupon-id-reused`) ' +
          'and by `Idempotency-Key`. The coupon pays for (part of) one order at checkout (`couponId` in the order), in its own currency, until it expires ' +
          `(\`validDays\`, default ${defaultValidDays}).`,
        params: IdParams,
        body: IssueCouponBody,
      },
    },
    async (req, reply) => {
      const b = req.body;
      const r = await issueCoupon(ctx, {
        customerId: req.params.id,
        ...(b.couponId ? { couponId: b.couponId } : {}),
        value: b.value,
        reason: b.reason,
        ...(b.note ? { note: b.note } : {}),
        validDays: b.validDays ?? defaultValidDays,
        actor: actorOf(req),
        audit: true,
      });
      return reply.code(r.created ? 201 : 200).send(r.coupon);
    },
  );

  app.get(
    '/v1/customers/:id/coupons',
    {
      schema: {
        tags,
        summary: "The customer's coupons, newest first (cursor-paginated)",
        description:
          'The customer themself, or `customers:read` (staff, ops). Coupons of records merged into this customer are listed too.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        querystring: CouponsQuery,
      },
    },
    async (req) => {
      await authorizeCustomerRead(ctx, req, req.params.id);
      return listCoupons(ctx, req.params.id, req.query);
    },
  );
}
