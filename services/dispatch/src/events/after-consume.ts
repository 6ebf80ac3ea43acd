import { riderStateFromDoc } from '../store/collections';
import type { DispatchContext, Effects } from '../app/context';

/**
 * Event handlers run inside the consumer's transaction, which commits after they return, so their
 * effects outside the store wait for the commit: each touched rider is re-read until the store
 * shows the version the handler wrote, then the board is refreshed and the rider told. (If the
 * transaction rolled back, the version never shows up; the periodic board resync has the truth.)
 */
export function applyAfterConsume(ctx: DispatchContext, fx: Effects): void {
  if (fx.riders.size === 0 && fx.pushes.length === 0) return;
  const riders = [...fx.riders.values()];
  const pushes = [...fx.pushes];
  void (async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      await new Promise((r) => setTimeout(r, attempt === 0 ? 0 : 10));
      const fresh = await Promise.all(riders.map((r) => ctx.collections.riders.findById(r._id)));
      if (fresh.every((doc, i) => doc && doc.version >= riders[i]!.version)) {
        for (const doc of fresh) ctx.board.upsert(riderStateFromDoc(doc!));
        for (const { riderId, message } of pushes) ctx.push.send(riderId, message);
        return;
      }
    }
  })().catch((err: unknown) => ctx.log.warn({ err }, 'applying effects of a consumed event failed'));
}
