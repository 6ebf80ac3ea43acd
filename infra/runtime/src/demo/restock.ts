import { api, eventually } from './client';
import { skusInStock, type DemoContext } from './flows';

const token = (ctx: DemoContext, key: string): string => {
  const t = ctx.tokens[key];
  if (!t) throw new Error(`no demo token "${key}"`);
  return t;
};

interface Level {
  available: number;
  onHand: number;
  reorderPoint: number;
}

interface Suggestion {
  suggestionId: string;
  sku: string;
  status: string;
  suggestedQty: number;
  suggestedSourceLocationId?: string;
  supplierId?: string;
  alerts: number;
}

/**
 * An alert that becomes a transfer: the manager of a store writes off damaged units, the level
 * falls to its reorder point, the low-stock alert lands in the store's restock inbox with a
 * suggestion, one call turns it into a transfer from the suggested warehouse, the warehouse ships
 * and the store receives — all through the public HTTP APIs. Returns the transfer id.
 */
export async function restockStory(ctx: DemoContext, storeId = 'S03'): Promise<string> {
  const manager = token(ctx, `manager:${storeId}`);
  const clerk = token(ctx, `clerk:${storeId}`);
  const ops = token(ctx, 'ops');
  const inv = ctx.urls.inventory;
  // A SKU comfortably above its reorder point (so the alert is armed), not too many units to write off.
  const [item] = await skusInStock(ctx, storeId, 6, 30, 1);
  const sku = item!.sku;
  const level = await api<Level>('GET', `${inv}/v1/locations/${storeId}/stock/${sku}`, { token: manager });
  const writeOff = level.available - 1;
  await api('POST', `${inv}/v1/locations/${storeId}/adjustments`, {
    token: manager,
    body: {
      adjustmentId: `demo-damage-${Date.now()}`,
      sku,
      delta: -writeOff,
      reason: 'damage',
      note: 'water damage',
    },
  });
  ctx.log(
    `manager of ${storeId} writes off ${writeOff} × ${sku} (water damage): 1 left, reorder point ${level.reorderPoint}`,
  );
  const suggestion = await eventually('the restock suggestion', async () => {
    const page = await api<{ items: Suggestion[] }>(
      'GET',
      `${inv}/v1/restock-suggestions?locationId=${storeId}&status=open&sku=${sku}`,
      { token: manager },
    );
    return page.items[0];
  });
  ctx.log(
    `  low-stock alert → restock inbox of ${storeId}: ${suggestion.suggestedQty} × ${sku} from ${suggestion.suggestedSourceLocationId ?? 'no location'}` +
      (suggestion.supplierId ? ` (or supplier ${suggestion.supplierId})` : ''),
  );
  const { transfer } = await api<{
    transfer: { transferId: string; fromLocationId: string; lines: unknown };
  }>('POST', `${inv}/v1/restock-suggestions/${suggestion.suggestionId}/transfer`, {
    token: manager,
    body: {},
  });
  ctx.log(
    `  one call: transfer ${transfer.transferId} requested from ${transfer.fromLocationId}; suggestion closed`,
  );
  await api('POST', `${inv}/v1/transfers/${transfer.transferId}/ship`, { token: ops });
  ctx.log(`  ${transfer.fromLocationId} ships it`);
  await api('POST', `${inv}/v1/transfers/${transfer.transferId}/receive`, { token: clerk, body: {} });
  const after = await api<Level>('GET', `${inv}/v1/locations/${storeId}/stock/${sku}`, { token: manager });
  ctx.log(`  ${storeId} receives it: ${sku} available ${after.available} (was 1)`);
  return transfer.transferId;
}
