import { BadRequestError, NotFoundError, withCursor } from '@omni/kit';
import type { Page } from '@omni/store';
import { levelId } from '../../domain/levels';
import type { ReplenishmentMode, ReplenishmentRuleDoc } from '../../domain/purchasing';
import { auditMeta, type Audited, type InventoryContext } from '../context';
import { unknownLocation } from '../errors';

export interface RuleInput {
  min: number;
  max: number;
  mode: ReplenishmentMode;
  enabled: boolean;
}

export const unknownRule = (sku: string, locationId: string) =>
  new NotFoundError('replenishment rule', `${sku} at ${locationId}`, 'unknown-replenishment-rule');

/** Sets the min/max rule of a SKU at a location (audited). */
export async function putRule(
  ctx: InventoryContext,
  sku: string,
  locationId: string,
  input: RuleInput,
  by: Audited,
): Promise<{ rule: ReplenishmentRuleDoc; created: boolean }> {
  if (input.max <= input.min)
    throw new BadRequestError('max must be above min', [
      { field: 'max', message: 'must be greater than min' },
    ]);
  const { replenishmentRules, locations } = ctx.collections;
  return ctx.store.withTransaction(async (session) => {
    if (!(await locations.findById(locationId, { session }))) throw unknownLocation(locationId);
    const id = levelId(sku, locationId);
    const existing = await replenishmentRules.findById(id, { session });
    const rule: ReplenishmentRuleDoc = {
      _id: id,
      sku,
      locationId,
      ...input,
      ...(existing?.pending ? { pending: existing.pending } : {}),
      ...(existing?.lastRunAt ? { lastRunAt: existing.lastRunAt } : {}),
      updatedAt: ctx.clock().toISOString(),
      updatedBy: by.actor,
    };
    await replenishmentRules.replaceOne({ _id: id }, rule, { session, upsert: true });
    await ctx.audit(
      {
        ...auditMeta(by),
        action: existing ? 'replenishment-rule.updated' : 'replenishment-rule.created',
        target: { type: 'replenishment-rule', id },
        details: { ...input },
      },
      session,
    );
    return { rule, created: !existing };
  });
}

export async function deleteRule(
  ctx: InventoryContext,
  sku: string,
  locationId: string,
  by: Audited,
): Promise<void> {
  const id = levelId(sku, locationId);
  await ctx.store.withTransaction(async (session) => {
    const n = await ctx.collections.replenishmentRules.deleteOne({ _id: id }, { session });
    if (n === 0) throw unknownRule(sku, locationId);
    await ctx.audit(
      { ...auditMeta(by), action: 'replenishment-rule.deleted', target: { type: 'replenishment-rule', id } },
      session,
    );
  });
}

export async function listRules(
  ctx: InventoryContext,
  locationId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<ReplenishmentRuleDoc>> {
  if (!(await ctx.collections.locations.findById(locationId))) throw unknownLocation(locationId);
  return withCursor(() =>
    ctx.collections.replenishmentRules.page(
      { locationId },
      { limit: page.limit, cursor: page.cursor ?? null },
    ),
  );
}
