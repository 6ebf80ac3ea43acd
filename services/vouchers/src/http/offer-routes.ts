import { Type } from 'typebox';
import { actorOf, withCursor, type App } from '@omni/kit';
import type { VouchersContext } from '../app/context';
import { createOffer } from '../app/offers';
import { getOffer, listOffers } from '../app/queries';
import { offerView } from '../app/views';
import { Id, OfferBody, OfferView, PageQuery, Paged } from './schemas';

const tags = ['voucher offers'];

export function registerOfferRoutes(app: App, ctx: VouchersContext): void {
  app.post(
    '/v1/voucher-offers',
    {
      config: { permission: 'vouchers:manage' },
      schema: {
        tags,
        description:
          'Defines the terms of a voucher SKU (catalog product of kind `voucher`): service, goods or value voucher, validity, excluded days, stores, limits, refund rules. Audited.',
        body: OfferBody,
        response: { 201: OfferView },
      },
    },
    async (req, reply) => {
      const offer = await createOffer(ctx, actorOf(req), req.body);
      reply.code(201);
      return offerView(offer);
    },
  );

  app.get(
    '/v1/voucher-offers',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Paged(OfferView) },
      },
    },
    async (req) => {
      const page = await withCursor(() => listOffers(ctx, req.query));
      return { items: page.items.map(offerView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/voucher-offers/:offerId',
    {
      config: { permission: 'catalog:read' },
      schema: { tags, params: Type.Object({ offerId: Id }), response: { 200: OfferView } },
    },
    async (req) => offerView(await getOffer(ctx, req.params.offerId)),
  );
}
