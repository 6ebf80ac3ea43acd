import type { Service } from '@omni/kit';
import type { Actor } from './context';
import type { CatalogApp } from './catalog-app';
import type { CreateCategoryCommand } from './create-category';
import type { CreateProductCommand } from './create-product';

export interface SeedCategory extends CreateCategoryCommand {
  id: string;
}

export interface SeedProduct extends CreateProductCommand {
  id: string;
  /** Publish after creating (default true). */
  publish?: boolean;
}

export interface SeedData {
  categories: SeedCategory[];
  products: SeedProduct[];
}

export interface SeedReport {
  categories: { created: number; skipped: number };
  products: { created: number; skipped: number; published: number };
  ms: number;
}

const SEED_ACTOR: Actor = { sub: 'seed', role: 'system' };

/**
 * Demo data through the real use cases (validation, events, audit), so a seeded catalog is one any
 * consumer could have watched being built. Idempotent by id: what exists is skipped, so a runtime
 * restarting on a durable data directory can seed again. Parents are created before children
 * whatever the input order.
 */
export async function seedCatalog(service: Service & { catalog: CatalogApp }, data: SeedData): Promise<SeedReport> {
  const started = performance.now();
  await service.store.init();
  const app = service.catalog;
  const { categories, products } = app.context.collections;
  const report: SeedReport = { categories: { created: 0, skipped: 0 }, products: { created: 0, skipped: 0, published: 0 }, ms: 0 };

  const existingCategories = new Set((await categories.find({}, { projection: { _id: 1 } })).map((c) => c._id));
  for (const c of parentsFirst(data.categories)) {
    if (existingCategories.has(c.id)) {
      report.categories.skipped++;
      continue;
    }
    await app.createCategory(SEED_ACTOR, c);
    existingCategories.add(c.id);
    report.categories.created++;
  }

  const existingProducts = new Set((await products.find({}, { projection: { _id: 1 } })).map((p) => p._id));
  for (const { publish = true, ...p } of data.products) {
    if (existingProducts.has(p.id)) {
      report.products.skipped++;
      continue;
    }
    const created = await app.createProduct(SEED_ACTOR, p);
    report.products.created++;
    if (publish) {
      await app.publishProduct(SEED_ACTOR, created._id, created.version);
      report.products.published++;
    }
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

function parentsFirst(list: SeedCategory[]): SeedCategory[] {
  const byId = new Map(list.map((c) => [c.id, c]));
  const out: SeedCategory[] = [];
  const placed = new Set<string>();
  const place = (c: SeedCategory, trail: Set<string>): void => {
    if (placed.has(c.id) || trail.has(c.id)) return;
    trail.add(c.id);
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    if (parent) place(parent, trail);
    placed.add(c.id);
    out.push(c);
  };
  for (const c of list) place(c, new Set());
  return out;
}
