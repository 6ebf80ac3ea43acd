import { ForbiddenError, requirePrincipal, type App } from '@omni/kit';
import { Type } from 'typebox';
import type { CatalogApp } from '../app/catalog-app';
import { Cursor, Limit } from './schemas';

const MoneyOut = Type.Object({ amountMinor: Type.Integer(), currency: Type.String() });

const ParityPageOut = Type.Object({
  policy: Type.Union([Type.Literal('on'), Type.Literal('off')]),
  items: Type.Array(
    Type.Object({
      productId: Type.String(),
      name: Type.String(),
      status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
      gaps: Type.Array(
        Type.Object({
          kind: Type.Union([
            Type.Literal('store-price'),
            Type.Literal('store-override'),
            Type.Literal('online-only'),
            Type.Literal('store-only'),
            Type.Literal('some-stores'),
          ]),
          sku: Type.String(),
          storeId: Type.Optional(Type.String()),
          stores: Type.Optional(Type.Array(Type.String())),
          online: Type.Optional(MoneyOut),
          store: Type.Optional(MoneyOut),
        }),
      ),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** Price and range parity: what ops see of the differences between online and the stores. */
export function registerParityRoutes(app: App, catalog: CatalogApp): void {
  app.get(
    '/v1/ops/parity',
    {
      config: { permission: 'catalog:write' as const },
      schema: {
        description:
          'Every product whose price or range differs between online and the stores (store price, per-store override, ' +
          'online-only, store-only, sold in some stores only), with each difference; cursor pages by product. Ops only.',
        querystring: Type.Object({ limit: Limit(100, 50), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: ParityPageOut },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (p.role !== 'ops') throw new ForbiddenError(`${p.role} ${p.sub} may not read the parity report`);
      return catalog.parityReport({ limit: req.query.limit, ...(req.query.cursor ? { cursor: req.query.cursor } : {}) });
    },
  );
}
