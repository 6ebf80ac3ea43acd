import { ForbiddenError, withCursor } from '@omni/kit';
import type { Session } from '@omni/store';
import { newGaps, parityGaps, type ParityGap } from '../domain/parity';
import type { Product } from '../domain/product';
import type { Actor, CatalogContext } from './context';

/** Who may decide a parity override: ops, and the system (seeds, migrations) — audited either way. */
const mayOverride = (actor: Actor) => actor.role === 'ops' || actor.role === 'system';

/**
 * With the parity policy on, a write that opens a price or range gap (same price online and in store,
 * same range) is a per-store override: refused (403 parity-override-needs-ops) unless ops make it, and
 * then audited with the gaps it opened. Called in the write's transaction, so a refusal writes nothing.
 */
export async function enforceParity(
  ctx: CatalogContext,
  session: Session,
  actor: Actor,
  before: Product | null,
  after: Product,
): Promise<void> {
  if (!ctx.parity) return;
  const opened = newGaps(before, after);
  if (opened.length === 0) return;
  if (!mayOverride(actor)) {
    throw new ForbiddenError(
      `price and range parity is on: ${opened.length} difference(s) between online and store need ops (${opened
        .slice(0, 3)
        .map((g) => `${g.kind} ${g.sku}`)
        .join(', ')})`,
      'parity-override-needs-ops',
    );
  }
  await ctx.audit.record(
    {
      actor,
      action: 'catalog.parity.override',
      target: { type: 'product', id: after._id },
      details: { gaps: opened.slice(0, 50), gapCount: opened.length },
    },
    session,
  );
}

export interface ParityReportItem {
  productId: string;
  name: string;
  status: Product['status'];
  gaps: ParityGap[];
}

/** Every product with a parity gap, and its gaps (paged by product id). */
export async function listParityGaps(
  ctx: CatalogContext,
  page: { limit: number; cursor?: string },
): Promise<{ policy: 'on' | 'off'; items: ParityReportItem[]; nextCursor: string | null }> {
  const found = await withCursor(() =>
    ctx.collections.products.page({ parityGaps: { $gt: 0 } }, { limit: page.limit, cursor: page.cursor ?? null }),
  );
  return {
    policy: ctx.parity ? 'on' : 'off',
    items: found.items.map((p) => ({ productId: p._id, name: p.name, status: p.status, gaps: parityGaps(p) })),
    nextCursor: found.nextCursor,
  };
}
