import { decodeHistogram, summarise } from '../histogram';
import { callJson, expectJson, forEachLimit, listAll } from '../http';
import { runInChild } from '../loadgen/run-child';
import { createLocations, receive, reconcile, registerSkus, type LevelView } from '../seeding';
import type { Scenario, ScenarioContext, Target } from '../types';
import { expectedAfter, posOpsForStore } from '../workload/pos-ops';

export interface PosSyncOptions {
  stores: number;
  opsPerStore: number;
  skusPerStore: number;
  /** Stores whose first request is sent again afterwards (must change nothing). */
  replayStores: number;
}

/** The server's limit of ops per sync request, read from its OpenAPI document (200 if unknown). */
async function serverChunkLimit(target: Target): Promise<number> {
  const res = await callJson<{
    paths?: Record<
      string,
      {
        post?: {
          requestBody?: {
            content?: Record<string, { schema?: { properties?: { ops?: { maxItems?: number } } } }>;
          };
        };
      }
    >;
  }>(`${target.urls.inventory}/docs/json`, null, 'GET');
  const op = res.body?.paths?.['/v1/stores/{storeId}/sync']?.post;
  return op?.requestBody?.content?.['application/json']?.schema?.properties?.ops?.maxItems ?? 200;
}

interface StoreState {
  onHand: Map<string, number>;
  movements: number;
}

async function storeState(ctx: ScenarioContext, storeId: string): Promise<StoreState> {
  const { urls, opsToken } = ctx.target;
  const id = encodeURIComponent(storeId);
  const levels = await listAll<LevelView>(`${urls.inventory}/v1/locations/${id}/stock`, opsToken);
  const movements = await listAll<unknown>(`${urls.inventory}/v1/movements?locationId=${id}`, opsToken);
  return { onHand: new Map(levels.map((l) => [l.sku, l.onHand])), movements: movements.length };
}

const sameState = (a: StoreState, b: { onHand: Map<string, number>; movements: number }) =>
  a.movements === b.movements &&
  a.onHand.size === b.onHand.size &&
  [...b.onHand].every(([sku, qty]) => a.onHand.get(sku) === qty);

/**
 * Store POS sync after an outage: `stores` stores upload a `opsPerStore`-op batch each at the same
 * time (sales, returns, goods-in, counts; client op ids, per-store seq). Every op must be applied once:
 * the results, each store's levels and ledger entries are compared with what applying the ops once
 * must leave, the ledger is reconciled, and a few batches are sent again (must change nothing).
 */
export const posSync: Scenario<PosSyncOptions> = {
  name: 'pos-sync',
  title: 'POS sync (stores reconnecting)',
  defaults: (quick) =>
    quick
      ? { stores: 20, opsPerStore: 500, skusPerStore: 5, replayStores: 3 }
      : { stores: 200, opsPerStore: 500, skusPerStore: 5, replayStores: 5 },

  async run(ctx, o) {
    const { target, runId } = ctx;
    const stores = Array.from(
      { length: o.stores },
      (_, i) => `POS-${runId}-${String(i + 1).padStart(3, '0')}`,
    );
    const skus = Array.from({ length: o.skusPerStore }, (_, i) => `POS-${runId}-SKU${i + 1}`);
    const setup = ctx.progress.start('pos-sync: create stores', stores.length, 'stores');
    // No capabilities: these stores take part in no routing, they only sync their tills.
    await createLocations(
      target,
      stores.map((id) => ({ id, type: 'store', capabilities: [] })),
    );
    // The tills sell SKUs catalog announced; a receipt at a bench-only depot returns once inventory has
    // heard of them (POS ops for an unknown SKU are refused one by one), away from the measured stores.
    await registerSkus(target, `POS-${runId}`, skus);
    await createLocations(target, [{ id: `POS-${runId}-DEPOT`, type: 'warehouse', capabilities: [] }]);
    await receive(target, `POS-${runId}-DEPOT`, `pos-${runId}-depot`, skus.map((sku) => ({ sku, qty: 1 })));
    setup.update(stores.length);
    setup.stop();

    const limit = await serverChunkLimit(target);
    const chunk = Math.min(o.opsPerStore, limit);
    const totalOps = o.stores * o.opsPerStore;
    const bar = ctx.progress.start('pos-sync: ops applied', totalOps, 'ops');
    let load;
    try {
      load = await runInChild(
        {
          kind: 'pos-sync',
          url: target.urls.inventory,
          token: target.opsToken,
          runId,
          stores,
          skus,
          opsPerStore: o.opsPerStore,
          chunk,
        },
        (done) => bar.update(done),
      );
    } finally {
      bar.stop();
    }
    const latency = summarise(decodeHistogram(load.latency));
    const opsPerSecond = (totalOps / load.durationMs) * 1000;

    // Verification: every store's levels and ledger entries against applying its ops exactly once.
    const verify = ctx.progress.start('pos-sync: verify stores', stores.length, 'stores');
    let verified = 0;
    const wrong: string[] = [];
    const expected = new Map(
      stores.map((s) => [s, expectedAfter(posOpsForStore(runId, s, o.opsPerStore, skus))]),
    );
    const before = new Map<string, StoreState>();
    await forEachLimit(stores, 8, async (storeId) => {
      const state = await storeState(ctx, storeId);
      before.set(storeId, state);
      if (!sameState(state, expected.get(storeId)!)) wrong.push(storeId);
      verify.update(++verified);
    });
    verify.stop();

    // Replay: the first request of a few stores again (a till that never saw the answer).
    const replayed = stores.slice(0, o.replayStores);
    const replayOutcomes: Record<string, number> = {};
    const changedByReplay: string[] = [];
    for (const storeId of replayed) {
      const ops = posOpsForStore(runId, storeId, o.opsPerStore, skus).slice(0, chunk);
      const answer = await expectJson<{ results: Array<{ status: string }> }>(
        `${target.urls.inventory}/v1/stores/${encodeURIComponent(storeId)}/sync`,
        target.opsToken,
        'POST',
        { ops },
      );
      for (const r of answer.results) replayOutcomes[r.status] = (replayOutcomes[r.status] ?? 0) + 1;
      const after = await storeState(ctx, storeId);
      if (!sameState(after, before.get(storeId)!)) changedByReplay.push(storeId);
    }
    const ledger = await reconcile(target);
    const applied = load.outcomes.applied ?? 0;
    const replayDuplicates = replayOutcomes.duplicate ?? 0;
    const replayTotal = Object.values(replayOutcomes).reduce((a, b) => a + b, 0);

    return {
      config: { ...o, requestChunk: chunk, serverMaxOpsPerRequest: limit, requests: load.requests },
      metrics: [
        { key: 'opsPerSecond', label: 'POS ops applied/s', value: Math.round(opsPerSecond), unit: 'ops/s' },
        {
          key: 'durationMs',
          label: `all ${o.stores} stores synced in`,
          value: Math.round(load.durationMs),
          unit: 'ms',
        },
        { key: 'requestP50', label: `sync request (${chunk} ops) p50`, value: latency.p50, unit: 'ms' },
        { key: 'requestP99', label: `sync request (${chunk} ops) p99`, value: latency.p99, unit: 'ms' },
      ],
      checks: [
        {
          name: 'every op applied',
          ok: applied === totalOps && load.failedRequests === 0,
          detail: `${applied}/${totalOps} applied; outcomes ${JSON.stringify(load.outcomes)}; failed requests ${load.failedRequests}${load.errorSamples[0] ? ` — e.g. ${load.errorSamples[0]}` : ''}`,
        },
        {
          name: 'levels and ledger = each op once',
          ok: wrong.length === 0,
          detail: wrong.length
            ? `${wrong.length} stores differ, e.g. ${wrong.slice(0, 3).join(', ')}`
            : `${stores.length} stores match (on-hand per SKU, ledger entries)`,
        },
        {
          name: 'replayed batches change nothing',
          ok: changedByReplay.length === 0 && replayDuplicates === replayTotal,
          detail: `${replayed.length} batches replayed: ${JSON.stringify(replayOutcomes)}; stores changed ${changedByReplay.length}`,
        },
        {
          name: 'ledger reconciles',
          ok: ledger.ok,
          detail: `${ledger.levels} levels, ${ledger.movements} movements, ${ledger.differences.length} differences`,
        },
      ],
      latencies: { syncRequest: latency },
      notes: [
        `${o.stores} stores × ${o.opsPerStore} ops (70% sales, 10% returns, 15% goods-in, 5% counts over ${o.skusPerStore} SKUs), all stores at once over ${o.stores} connections from a separate process, as the ops token (pos:sync).`,
        chunk < o.opsPerStore
          ? `The server accepts at most ${limit} ops per request, so each batch went as ${Math.ceil(o.opsPerStore / chunk)} requests in seq order.`
          : "Each store's batch is one request (one transaction).",
        "Verification reads every store's levels and movements back over HTTP and compares them with applying each op once.",
      ],
      details: { outcomes: load.outcomes, durationMs: Math.round(load.durationMs), replayOutcomes },
    };
  },
};
