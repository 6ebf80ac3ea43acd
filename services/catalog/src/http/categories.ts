import { actorOf, type App } from '@omni/kit';
import { Type } from 'typebox';
import type { CatalogApp } from '../app/catalog-app';
import { categoryView } from '../app/queries/categories';
import { CreateCategoryBody, Cursor, EntityId, Limit, SalesQuery, UpdateCategoryBody, VersionBody } from './schemas';
import { CategoryDetailOut, CategoryOut, CategoryPageOut, ProductPageOut } from './responses';
import { emptyBodyAsObject, expectedVersion, setEtag } from './versioning';

const write = { permission: 'catalog:write' as const };
const CategoryParams = Type.Object({ categoryId: EntityId });

/** The category tree: public reads, operator writes. */
export function registerCategoryRoutes(app: App, catalog: CatalogApp): void {

  app.get(
    '/v1/categories',
    {
      schema: {
        description: 'Categories as a flat list linked by parentId (children of parentId, or roots=true for the roots).',
        querystring: Type.Object(
          { parentId: Type.Optional(EntityId), roots: Type.Optional(Type.Boolean()), limit: Limit(1000, 100), cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: CategoryPageOut },
      },
    },
    async (req) => {
      const { parentId, roots, limit, cursor } = req.query;
      return catalog.listCategories({
        ...(roots ? { parentId: null } : parentId !== undefined ? { parentId } : {}),
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
      });
    },
  );

  app.get('/v1/categories/:categoryId', { schema: { params: CategoryParams, response: { 200: CategoryDetailOut } } }, async (req, reply) => {
    const detail = await catalog.getCategory(req.params.categoryId);
    setEtag(reply, detail.version);
    return detail;
  });

  app.get(
    '/v1/categories/:categoryId/products',
    {
      schema: {
        description: 'Published products of the category and its sub-categories.',
        params: CategoryParams,
        querystring: Type.Object({ ...SalesQuery, limit: Limit(100, 20), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: ProductPageOut },
      },
    },
    async (req) => {
      await catalog.getCategory(req.params.categoryId); // 404 for an unknown category
      const q = req.query;
      return catalog.listProducts({
        categoryId: req.params.categoryId,
        channel: q.channel ?? 'online',
        ...(q.storeId !== undefined ? { storeId: q.storeId } : {}),
        status: 'published',
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
    },
  );

  app.post('/v1/categories', { config: write, schema: { body: CreateCategoryBody, response: { 201: CategoryOut } } }, async (req, reply) => {
    const category = await catalog.createCategory(actorOf(req), req.body);
    setEtag(reply, category.version).code(201).header('location', `/v1/categories/${category._id}`);
    return categoryView(category);
  });

  app.patch(
    '/v1/categories/:categoryId',
    { config: write, schema: { params: CategoryParams, body: UpdateCategoryBody, response: { 200: CategoryOut } } },
    async (req, reply) => {
      const { version, ...patch } = req.body;
      const category = await catalog.updateCategory(actorOf(req), req.params.categoryId, expectedVersion(req, version), patch);
      setEtag(reply, category.version);
      return categoryView(category);
    },
  );

  app.delete(
    '/v1/categories/:categoryId',
    { config: write, preValidation: emptyBodyAsObject, schema: { params: CategoryParams, body: VersionBody } },
    async (req, reply) => {
      await catalog.deleteCategory(actorOf(req), req.params.categoryId, expectedVersion(req, req.body.version));
      return reply.code(204).send();
    },
  );
}
