import { actorOf, type App, BadRequestError } from '@omni/kit';
import { Type } from 'typebox';
import type { CatalogApp } from '../app/catalog-app';
import { AddSkuBody, Channel, ListingBody, PriceBody, ProductParams, SkuCode, SkuParams, StoreId, UpdateSkuBody, VersionBody } from './schemas';
import { ProductOut, SkuAnswersOut } from './responses';
import { emptyBodyAsObject, expectedVersion, setEtag } from './versioning';

const write = { permission: 'catalog:write' as const };
// A per-store price belongs to that store: a client bound to stores sets only its own stores' prices.
const writeAtStore = {
  permission: 'catalog:write' as const,
  scope: (req: { params: unknown }) => ({ storeId: (req.params as { storeId: string }).storeId }),
};

/** Variants of a product: content, listing, prices (per channel, per-store overrides). */
export function registerSkuRoutes(app: App, catalog: CatalogApp): void {

  app.post('/v1/products/:productId/skus', { config: write, schema: { params: ProductParams, body: AddSkuBody, response: { 201: ProductOut } } }, async (req, reply) => {
    const { version, ...sku } = req.body;
    const product = await catalog.addSku(actorOf(req), req.params.productId, expectedVersion(req, version), sku);
    setEtag(reply, product.version).code(201);
    return catalog.view(product);
  });

  app.patch('/v1/products/:productId/skus/:sku', { config: write, schema: { params: SkuParams, body: UpdateSkuBody, response: { 200: ProductOut } } }, async (req, reply) => {
    const { version, ...patch } = req.body;
    const product = await catalog.updateSku(actorOf(req), req.params.productId, req.params.sku, expectedVersion(req, version), patch);
    setEtag(reply, product.version);
    return catalog.view(product);
  });

  app.put(
    '/v1/products/:productId/skus/:sku/listing',
    { config: write, schema: { description: 'Channels (and stores) that sell the SKU; each listed channel needs a price.', params: SkuParams, body: ListingBody, response: { 200: ProductOut } } },
    async (req, reply) => {
      const { version, ...listing } = req.body;
      const product = await catalog.setListing(actorOf(req), req.params.productId, req.params.sku, expectedVersion(req, version), listing);
      setEtag(reply, product.version);
      return catalog.view(product);
    },
  );

  app.put(
    '/v1/products/:productId/skus/:sku/prices/:channel',
    {
      config: write,
      schema: {
        description: 'Sets the base price of the SKU on a channel (audited, PriceChanged).',
        params: Type.Object({ productId: ProductParams.properties.productId, sku: SkuCode, channel: Channel }),
        body: PriceBody,
        response: { 200: ProductOut },
      },
    },
    async (req, reply) => {
      const { productId, sku, channel } = req.params;
      const { product } = await catalog.setPrice(actorOf(req), productId, { sku, channel }, expectedVersion(req, req.body.version), req.body.price);
      setEtag(reply, product.version);
      return catalog.view(product, { channel });
    },
  );

  const storePriceParams = Type.Object({ productId: ProductParams.properties.productId, sku: SkuCode, storeId: StoreId });

  app.put(
    '/v1/products/:productId/skus/:sku/store-prices/:storeId',
    {
      config: writeAtStore,
      schema: { description: 'Sets a per-store override of the store-channel price (audited, PriceChanged).', params: storePriceParams, body: PriceBody, response: { 200: ProductOut } },
    },
    async (req, reply) => {
      const { productId, sku, storeId } = req.params;
      const { product } = await catalog.setPrice(
        actorOf(req),
        productId,
        { sku, channel: 'store', storeId },
        expectedVersion(req, req.body.version),
        req.body.price,
      );
      setEtag(reply, product.version);
      return catalog.view(product, { channel: 'store', storeId });
    },
  );

  app.delete(
    '/v1/products/:productId/skus/:sku/store-prices/:storeId',
    {
      config: writeAtStore,
      preValidation: emptyBodyAsObject,
      schema: { description: 'Removes a per-store override (the base store price applies again).', params: storePriceParams, body: VersionBody, response: { 200: ProductOut } },
    },
    async (req, reply) => {
      const { productId, sku, storeId } = req.params;
      const { product } = await catalog.setPrice(actorOf(req), productId, { sku, channel: 'store', storeId }, expectedVersion(req, req.body.version), null);
      setEtag(reply, product.version);
      return catalog.view(product, { channel: 'store', storeId });
    },
  );

  app.get(
    '/v1/skus',
    {
      schema: {
        description: 'Sellability and price of SKUs for a channel (and store): the REST twin of gRPC CatalogService.GetSkus.',
        querystring: Type.Object(
          {
            ids: Type.String({ minLength: 1, maxLength: 4000, pattern: '^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$' }),
            channel: Type.Optional(Channel),
            storeId: Type.Optional(StoreId),
          },
          { additionalProperties: false },
        ),
        response: { 200: SkuAnswersOut },
      },
    },
    async (req) => {
      const ids = req.query.ids.split(',');
      if (ids.length > 100) throw new BadRequestError('At most 100 SKUs per request', [{ field: 'querystring/ids', message: 'more than 100 SKUs' }]);
      return { items: await catalog.getSkus(ids, req.query.channel ?? 'online', req.query.storeId) };
    },
  );
}
