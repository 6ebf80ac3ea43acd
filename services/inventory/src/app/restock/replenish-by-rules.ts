import type { Logger } from 'pino';
import { levelId } from '../../domain/levels';
import { ruleNeed, type ReplenishmentRuleDoc } from '../../domain/purchasing';
import type { Actor } from '../../domain/types';
import type { InventoryContext, Tx } from '../context';
import { inTransaction } from '../transaction';
import { suggestionToPurchaseOrderIn, suggestionToTransferIn } from './act-on-suggestion';
import { upsertSuggestion } from './suggestions';

/** Rules act as this actor in the ledger, transfers, orders and the audit log. */
export const REPLENISHER: Actor = { sub: 'system:replenishment', role: 'system' };

export type RuleOutcome =
  | { ruleId: string; outcome: 'not-needed' | 'waiting' }
  | { ruleId: string; outcome: 'transfer' | 'purchase-order'; id: string; qty: number }
  | { ruleId: string; outcome: 'left-open'; suggestionId: string; why: string };

/**
 * Min/max replenishment without a human: for each enabled rule whose SKU has fallen to `min`
 * (available, nothing of its own still on the way), brings it back to `max` by a transfer from the
 * location with the largest surplus (mode transfer/auto) or a placed purchase order to the SKU's
 * supplier (purchase, or auto without a source) — within a daily per-location unit budget.
 * What it cannot do (over budget, no source, no supplier) stays an open suggestion in the inbox.
 * Each rule is its own transaction; every act is audited as the replenishment system actor.
 */
export async function replenishByRules(
  ctx: InventoryContext,
  stillOwner: () => boolean = () => true,
  log?: Logger,
): Promise<RuleOutcome[]> {
  const out: RuleOutcome[] = [];
  const rules = await ctx.collections.replenishmentRules.find({ enabled: true }, { projection: { _id: 1 } });
  for (const { _id } of rules) {
    if (!stillOwner()) break;
    try {
      const r = await inTransaction(ctx, (tx) => applyRule(tx, _id));
      if (r) out.push(r);
    } catch (err) {
      // One rule's failure (an unknown location, a conflict) must not stop the others.
      log?.warn({ err, ruleId: _id }, 'replenishment rule failed');
    }
  }
  return out;
}

async function applyRule(tx: Tx, ruleId: string): Promise<RuleOutcome | null> {
  const {
    replenishmentRules,
    levels,
    transfers,
    purchaseOrders,
    skuSuppliers,
    locations,
    replenishmentBudget,
  } = tx.ctx.collections;
  const s = { session: tx.session };
  const rule = await replenishmentRules.findById(ruleId, s);
  if (!rule || !rule.enabled) return null;
  const touch = (extra: Partial<ReplenishmentRuleDoc> = {}, unsetPending = false) =>
    replenishmentRules.updateOne(
      { _id: rule._id },
      { $set: { lastRunAt: tx.nowIso, ...extra }, ...(unsetPending ? { $unset: { pending: '' } } : {}) },
      s,
    );
  let pendingDone = false;
  if (rule.pending) {
    const status =
      rule.pending.type === 'transfer'
        ? (await transfers.findById(rule.pending.id, s))?.status
        : (await purchaseOrders.findById(rule.pending.id, s))?.status;
    if (status !== undefined && status !== 'received' && status !== 'cancelled') {
      await touch();
      return { ruleId, outcome: 'waiting' };
    }
    pendingDone = true;
  }
  const level = await levels.findById(levelId(rule.sku, rule.locationId), s);
  const available = level?.available ?? 0;
  const need = ruleNeed(rule, available);
  if (need === 0) {
    await touch({}, pendingDone);
    return { ruleId, outcome: 'not-needed' };
  }
  const leaveOpen = async (why: string, source?: string): Promise<RuleOutcome> => {
    const sug = await upsertSuggestion(tx, {
      sku: rule.sku,
      locationId: rule.locationId,
      suggestedQty: need,
      available,
      reorderPoint: level?.reorderPoint ?? rule.min,
      origin: 'rule',
      note: why,
      ...(source ? { suggestedSourceLocationId: source } : {}),
    });
    await touch({}, pendingDone);
    return { ruleId, outcome: 'left-open', suggestionId: sug._id, why };
  };

  // The budget: units rules may order per location per UTC day. Read and $inc in this transaction
  // (a concurrent run's write conflicts and retries).
  const budgetId = `${rule.locationId}|${tx.nowIso.slice(0, 10)}`;
  const used = (await replenishmentBudget.findById(budgetId, s))?.used ?? 0;
  if (used + need > tx.ctx.settings.replenishmentDailyUnitBudget)
    return leaveOpen(
      `over the daily replenishment budget (${used} of ${tx.ctx.settings.replenishmentDailyUnitBudget} used)`,
    );

  let source: string | undefined;
  if (rule.mode !== 'purchase') {
    const active = new Set(
      (await locations.find({ status: 'active' }, { ...s, projection: { _id: 1 } })).map((l) => l._id),
    );
    const others = (await levels.find({ sku: rule.sku }, s))
      .filter((l) => l.locationId !== rule.locationId && active.has(l.locationId))
      .map((l) => ({ id: l.locationId, surplus: l.available - l.reorderPoint }))
      .filter((o) => o.surplus >= need)
      .sort((a, b) => b.surplus - a.surplus || (a.id < b.id ? -1 : 1));
    source = others[0]?.id;
  }
  const supplier = await skuSuppliers.findById(rule.sku, s);
  const act: 'transfer' | 'purchase-order' | null =
    source !== undefined ? 'transfer' : rule.mode !== 'transfer' && supplier ? 'purchase-order' : null;
  if (!act)
    return leaveOpen(
      rule.mode === 'transfer'
        ? 'no location can spare the units'
        : 'no location can spare the units and the SKU has no supplier',
    );

  const sug = await upsertSuggestion(tx, {
    sku: rule.sku,
    locationId: rule.locationId,
    suggestedQty: need,
    available,
    reorderPoint: level?.reorderPoint ?? rule.min,
    origin: 'rule',
    ...(source ? { suggestedSourceLocationId: source } : {}),
  });
  const by = { actor: REPLENISHER, qty: need, note: `replenishment rule ${rule._id}` };
  const id =
    act === 'transfer'
      ? (await suggestionToTransferIn(tx, sug._id, { ...by, fromLocationId: source! })).transfer._id
      : (await suggestionToPurchaseOrderIn(tx, sug._id, { ...by, place: true })).purchaseOrder._id;
  await replenishmentBudget.updateOne({ _id: budgetId }, { $inc: { used: need } }, { ...s, upsert: true });
  await touch({ pending: { type: act, id } });
  await tx.ctx.audit(
    {
      actor: REPLENISHER,
      action: 'replenishment.rule-fired',
      target: { type: 'replenishment-rule', id: rule._id },
      details: { available, min: rule.min, max: rule.max, qty: need, [act]: id, budgetUsed: used + need },
    },
    tx.session,
  );
  return { ruleId, outcome: act, id, qty: need };
}
