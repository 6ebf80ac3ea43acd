import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  deliveryStory,
  formatTimeline,
  lateDeliveryStory,
  lateSyncStory,
  pickupStory,
  timelineOf,
  voucherStory,
  warehouseStory,
  type DemoContext,
} from './demo/flows';
import { restockStory } from './demo/restock';

/**
 * `npm run demo`: against the system `npm start` runs, plays the O2O stories — an online order
 * picked up in store, a one-hour delivery by a rider, a store sale synced late that re-routes an
 * online order, a late delivery compensated with a free order, vouchers bought online and redeemed
 * at a store, and a parcel from a warehouse whose short pick re-routes it — then prints each order's
 * timeline across services; then a low-stock alert that a store manager turns into a transfer from a
 * warehouse.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.env.OMNI_DATA_DIR ?? '.omni-data');
  const file = join(dataDir, 'demo.json');
  if (!existsSync(file)) {
    console.error(`No ${file}: start the system first (npm start) and run the demo in another terminal.`);
    process.exit(2);
  }
  const demo = JSON.parse(readFileSync(file, 'utf8')) as {
    identity: { tokens: Record<string, string> };
    customers: DemoContext['customers'];
    urls: DemoContext['urls'];
    timelineUrl?: string | null;
  };
  const ctx: DemoContext = {
    urls: demo.urls,
    timelineUrl: demo.timelineUrl ?? 'http://127.0.0.1:8080/timeline',
    tokens: demo.identity.tokens,
    customers: demo.customers,
    log: (line) => console.log(line),
  };
  const stories: Array<[string, () => Promise<string>]> = [
    ['1. Buy online, pick up in store', () => pickupStory(ctx)],
    ['2. One-hour delivery by a rider, cash on delivery', () => deliveryStory(ctx)],
    ['3. A store sale synced late re-routes an online order', () => lateSyncStory(ctx)],
    [
      '4. The store is late: free order (full refund) and the customer hears it',
      () => lateDeliveryStory(ctx),
    ],
    ['5. A voucher bought online, redeemed at a store', () => voucherStory(ctx)],
    [
      '6. Shipped from a warehouse: a short pick re-routes, packed, tracked, delivered',
      () => warehouseStory(ctx),
    ],
  ];
  const done: Array<[string, string]> = [];
  for (const [title, run] of stories) {
    console.log(`\n== ${title}`);
    const t0 = performance.now();
    const orderId = await run();
    console.log(`  (${Math.round(performance.now() - t0)} ms)`);
    done.push([title, orderId]);
  }
  await new Promise((r) => setTimeout(r, 500)); // the timeline consumer trails the last event by a few ms
  for (const [title, orderId] of done) {
    console.log(`\n== Timeline of ${orderId} (${title.slice(3)})`);
    console.log(formatTimeline(orderId, await timelineOf(ctx, orderId)));
  }
  console.log('\n== 7. A low-stock alert becomes a transfer');
  const t0 = performance.now();
  await restockStory(ctx);
  console.log(`  (${Math.round(performance.now() - t0)} ms)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
