import { actorOf, type App, authorize } from '@omni/kit';
import { Type } from 'typebox';
import type { CatalogApp } from '../app/catalog-app';
import { canSeeDrafts } from './actor';
import { CreateProductBody, Cursor, EntityId, Limit, ProductParams, SalesQuery, UpdateProductBody, VersionBody } from './schemas';
import { ProductOut, ProductPageOut } from './responses';
import { emptyBodyAsObject, expectedVersion, setEtag } from './versioning';

const write = { permission: 'catalog:write' as const };

/** Products: public reads for storefronts (no token needed), writes for catalog operators. */
export function registerProductRoutes(app: App, catalog: CatalogApp): void {

  app.get(
    '/v1/products',
    {
      schema: {
        description: 'Published products sold on a channel (and store): name search, category subtree, name order, cursor pages.',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            categoryId: Type.Optional(EntityId),
            ...SalesQuery,
            status: Type.Optional(Type.Union([Type.Literal('published'), Type.Literal('draft'), Type.Literal('all')])),
            limit: Limit(100, 20),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: ProductPageOut },
      },
    },
    async (req) => {
      const q = req.query;
      const status = q.status ?? 'published';
      // Drafts are for catalog operators only.
      if (status !== 'published') authorize(req.principal, 'catalog:write');
      return catalog.listProducts({
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.categoryId !== undefined ? { categoryId: q.categoryId } : {}),
        channel: q.channel ?? 'online',
        ...(q.storeId !== undefined ? { storeId: q.storeId } : {}),
        status,
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
    },
  );

  app.get(
    '/v1/products/:productId',
    {
      schema: {
        description: 'Product detail: SKUs with the price for the channel (store override with storeId) and availability per channel and per store.',
        params: ProductParams,
        querystring: Type.Object(SalesQuery, { additionalProperties: false }),
        response: { 200: ProductOut },
      },
    },
    async (req, reply) => {
      const view = await catalog.getProduct(
        req.params.productId,
        { channel: req.query.channel ?? 'online', ...(req.query.storeId !== undefined ? { storeId: req.query.storeId } : {}) },
        { includeDrafts: canSeeDrafts(req) },
      );
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post('/v1/products', { config: write, schema: { body: CreateProductBody, response: { 201: ProductOut } } }, async (req, reply) => {
    const product = await catalog.createProduct(actorOf(req), req.body);
    setEtag(reply, product.version).code(201).header('location', `/v1/products/${product._id}`);
    return catalog.view(product);
  });

  app.patch(
    '/v1/products/:productId',
    { config: write, schema: { params: ProductParams, body: UpdateProductBody, response: { 200: ProductOut } } },
    async (req, reply) => {
      const { version, ...patch } = req.body;
      const product = await catalog.updateProduct(actorOf(req), req.params.productId, expectedVersion(req, version), patch);
      setEtag(reply, product.version);
      return catalog.view(product);
    },
  );

  app.delete(
    '/v1/products/:productId',
    {
      config: write,
      preValidation: emptyBodyAsObject,
      schema: { description: 'Deletes a draft product (409 while published).', params: ProductParams, body: VersionBody },
    },
    async (req, reply) => {
      await catalog.deleteProduct(actorOf(req), req.params.productId, expectedVersion(req, req.body.version));
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/products/:productId/publish',
    { config: write, preValidation: emptyBodyAsObject, schema: { params: ProductParams, body: VersionBody, response: { 200: ProductOut } } },
    async (req, reply) => {
      const product = await catalog.publishProduct(actorOf(req), req.params.productId, expectedVersion(req, req.body.version));
      setEtag(reply, product.version);
      return catalog.view(product);
    },
  );

  app.post(
    '/v1/products/:productId/unpublish',
    { config: write, preValidation: emptyBodyAsObject, schema: { params: ProductParams, body: VersionBody, response: { 200: ProductOut } } },
    async (req, reply) => {
      const product = await catalog.unpublishProduct(actorOf(req), req.params.productId, expectedVersion(req, req.body.version));
      setEtag(reply, product.version);
      return catalog.view(product);
    },
  );
}
