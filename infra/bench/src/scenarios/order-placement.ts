import type { Subscription } from '@omni/events';
import { demoLocations } from '@omni/runtime';
import { epochMs, sleep } from '../clock';
import { decodeHistogram, newHistogram, recordMs, summarise, type LatencySummary } from '../histogram';
import { expectJson } from '../http';
import { runInChild } from '../loadgen/run-child';
import type { OrderRateResult } from '../loadgen/protocol';
import { startUsageWindow, type ProcessUsage } from '../process-usage';
import { raiseSlotCapacity, receive } from '../seeding';
import type { Check, Metric, Scenario, ScenarioContext } from '../types';
import { orderBody, type OrderMix } from '../workload/order-bodies';

export interface OrderPlacementOptions {
  /** Offered rates (orders/s), each for `stepSeconds`; stepping stops after the first unsustainable one. */
  rates: number[];
  stepSeconds: number;
  /** The rate whose latencies are the headline (must be one of `rates`). */
  headlineRate: number;
  warmupRate: number;
  warmupSeconds: number;
  /** After a step, wait for the last consumer-side events while they keep coming: give up after
   *  `drainStallSeconds` without a new one, or `drainSeconds` in all. */
  drainSeconds: number;
  drainStallSeconds: number;
  pickupShare: number;
  skus: number;
  /** Units put on every (SKU, location) before the run. */
  stockPerSku: number;
  connections: number;
  /** After the step-up: one step offered at this multiple of the capacity found (0: none). */
  overloadFactor: number;
  /** Event-loop delay (ms) past which the in-process services refuse requests (kit admission). */
  admissionMaxLoopDelayMs: number;
  /** Latency the in-process services' adaptive in-flight limit aims at (kit admission; 0: off). */
  admissionTargetLatencyMs: number;
}

export interface StepResult {
  offered: number;
  sent: number;
  accepted: number;
  errors: number;
  /** Orders whose consumer-side event (PickupTaskCreated / DeliveryJobCreated) arrived. */
  completed: number;
  missing: number;
  duplicateEvents: number;
  /** Completed orders per second, between the first and the last completion. */
  achieved: number;
  sustainable: boolean;
  /** Run for the headline rate after the step-up had stopped below it. */
  headlineOnly: boolean;
  http: LatencySummary;
  endToEnd: LatencySummary | null;
  /** End-to-end split by fulfilment method (pickup → pickup task, delivery → delivery job). */
  endToEndPickup: LatencySummary | null;
  endToEndDelivery: LatencySummary | null;
  maxSendLagMs: number;
  errorSamples: string[];
  /** The services' process during the step (in-process target only). */
  usage: ProcessUsage | null;
  /** Its CPU time per completed order. */
  cpuMsPerOrder: number | null;
  /** Requests refused by admission (503), and the HTTP latency of refusals and of accepted orders. */
  refused: number;
  refusedHttp: LatencySummary | null;
  acceptedHttp: LatencySummary | null;
}

const CONSUMER_TOPICS = ['omni.pickup.task', 'omni.dispatch.delivery'];
const CREATED_TYPES = new Set(['omni.pickup.task.created.v1', 'omni.dispatch.delivery.job-created.v1']);

/** Sellable demo goods SKUs listed in every demo store, from the catalog API (same on any target). */
export async function discoverSkus(ctx: ScenarioContext, count: number): Promise<string[]> {
  const { urls, opsToken } = ctx.target;
  const storeIds = ctx.target.demo.stores.map((s) => s.id);
  const page = await expectJson<{ items: Array<{ id: string }> }>(
    `${urls.catalog}/v1/products?limit=${Math.min(100, count * 2)}`,
    opsToken,
    'GET',
    undefined,
  );
  const skus: string[] = [];
  for (const p of page.items) {
    const detail = await expectJson<{
      kind?: string;
      skus: Array<{ sku: string; sellable: boolean; listing: { channels: string[]; stores?: string[] } }>;
    }>(`${urls.catalog}/v1/products/${encodeURIComponent(p.id)}`, opsToken, 'GET', undefined);
    // Vouchers are ordered on their own (fulfilment `voucher`), not in the bench's baskets.
    if (detail.kind === 'voucher') continue;
    for (const s of detail.skus) {
      const everywhere = !s.listing.stores || storeIds.every((id) => s.listing.stores!.includes(id));
      if (s.sellable && s.listing.channels.includes('online') && everywhere) skus.push(s.sku);
    }
    if (skus.length >= count) break;
  }
  if (skus.length === 0) throw new Error('the catalog has no SKU sellable online in every demo store');
  return skus.slice(0, count);
}

/** Orders seen at the consumer side: first event time per order id, and how many repeats. */
class ConsumerWatch {
  readonly firstSeen = new Map<string, number>();
  duplicates = 0;
  private sub: Subscription | null = null;

  async start(ctx: ScenarioContext): Promise<boolean> {
    const bus = ctx.target.bus;
    if (!bus) return false;
    this.sub = await bus.subscribe({
      group: `bench-consumer-${ctx.runId}`,
      topics: CONSUMER_TOPICS,
      fromBeginning: false,
      handler: async (msg) => {
        const at = epochMs();
        const event = JSON.parse(msg.value) as { type: string; data: { orderId?: string } };
        if (!CREATED_TYPES.has(event.type) || !event.data.orderId) return;
        if (this.firstSeen.has(event.data.orderId)) this.duplicates++;
        else this.firstSeen.set(event.data.orderId, at);
      },
    });
    return true;
  }

  async close(): Promise<void> {
    await this.sub?.close();
  }
}

/**
 * End-to-end order placement at fixed arrival rates (open model): HTTP POST /v1/orders →
 * saga (reserve at inventory over gRPC, payment) → OrderConfirmed → pickup / dispatch create their
 * task / job and publish PickupTaskCreated / DeliveryJobCreated, which the bench consumes from the
 * bus. End-to-end latency = consumer receipt − scheduled send.
 */
export const orderPlacement: Scenario<OrderPlacementOptions> = {
  name: 'order-placement',
  title: 'Order placement (open model)',
  defaults: (quick) => ({
    rates: [100, 200, 300, 500, 750, 1_000, 1_500, 2_000],
    stepSeconds: quick ? 1 : 10,
    headlineRate: 500,
    warmupRate: 100,
    warmupSeconds: quick ? 1 : 3,
    drainSeconds: quick ? 30 : 120,
    drainStallSeconds: 5,
    pickupShare: 0.5,
    skus: 20,
    stockPerSku: 100_000,
    connections: 1_024,
    overloadFactor: 3,
    admissionMaxLoopDelayMs: 100,
    admissionTargetLatencyMs: 500,
  }),

  async run(ctx, o) {
    const { target, runId } = ctx;
    const skus = await discoverSkus(ctx, o.skus);
    for (const loc of demoLocations()) {
      await receive(
        target,
        loc.id,
        `bench-orders-${runId}-${loc.id}`,
        skus.map((sku) => ({ sku, qty: o.stockPerSku })),
      );
    }
    // delivery orders book slots: give the zones room for a whole run
    await raiseSlotCapacity(target, target.demo.stores[0]!.geo, skus[0]!);
    const mix: OrderMix = {
      skus,
      customerIds: target.demo.customerIds,
      stores: target.demo.stores.map((s) => ({ id: s.id, geo: s.geo })),
      pickupShare: o.pickupShare,
    };
    // Admission at every service's edge for this scenario (in-process: the remote target has its own).
    const services = target.system
      ? [target.system.orders, target.system.catalog, target.system.inventory, target.system.customers]
      : [];
    const admissionBefore = services.map((svc) => svc.admission.limits());
    for (const svc of services) {
      svc.admission.configure({
        maxLoopDelayMs: o.admissionMaxLoopDelayMs,
        targetLatencyMs: o.admissionTargetLatencyMs,
      });
    }
    const watch = new ConsumerWatch();
    const observed = await watch.start(ctx);
    let nextIndex = 0;

    const runStep = async (
      label: string,
      rate: number,
      seconds: number,
      headlineOnly = false,
    ): Promise<StepResult> => {
      const total = Math.max(1, Math.round(rate * seconds));
      const bar = ctx.progress.start(label, total, 'orders');
      let load: OrderRateResult;
      const usageWindow = startUsageWindow();
      try {
        load = await runInChild(
          {
            kind: 'orders',
            url: target.urls.orders,
            token: target.opsToken,
            keyPrefix: `bench-${runId}`,
            firstIndex: nextIndex,
            ratePerSecond: rate,
            durationSeconds: seconds,
            connections: o.connections,
            mix,
          },
          (done) => bar.update(done),
        );
      } finally {
        bar.stop();
      }
      const duringLoad = usageWindow();
      nextIndex += total;
      const acceptedIds = load.orderIds.filter(
        (id, i) => id && (load.status[i] === 201 || load.status[i] === 202),
      );
      if (observed) {
        // A step beyond capacity leaves a queue: let it drain (the next step must start clean).
        const deadline = epochMs() + o.drainSeconds * 1000;
        let waiting = acceptedIds.filter((id) => !watch.firstSeen.has(id));
        let lastProgress = epochMs();
        while (
          waiting.length > 0 &&
          epochMs() < deadline &&
          epochMs() - lastProgress < o.drainStallSeconds * 1000
        ) {
          await sleep(50);
          const still = waiting.filter((id) => !watch.firstSeen.has(id));
          if (still.length < waiting.length) lastProgress = epochMs();
          waiting = still;
        }
      }
      // Event-loop utilisation while orders arrived; CPU until the last one was consumed.
      const usage =
        target.mode === 'in-process'
          ? { ...usageWindow(), eventLoopUtilization: duringLoad.eventLoopUtilization }
          : null;
      const e2e = newHistogram();
      const e2eByMethod = { pickup: newHistogram(), delivery: newHistogram() };
      const firstIndex = nextIndex - total;
      let completed = 0;
      let firstDone = Infinity;
      let lastDone = 0;
      for (const [i, id] of load.orderIds.entries()) {
        if (!id) continue;
        const seen = observed
          ? watch.firstSeen.get(id)
          : load.status[i] === 201
            ? load.completedAt[i]
            : undefined;
        if (seen === undefined) continue;
        completed++;
        firstDone = Math.min(firstDone, seen);
        lastDone = Math.max(lastDone, seen);
        if (observed) {
          recordMs(e2e, seen - load.scheduledAt[i]!);
          const method = (orderBody(firstIndex + i, mix).fulfilment as { method: 'pickup' | 'delivery' })
            .method;
          recordMs(e2eByMethod[method], seen - load.scheduledAt[i]!);
        }
      }
      // Completion rate between the first and the last completion: the offset of the latency cancels
      // out, and a queue building up stretches the span.
      const span = (lastDone - firstDone) / 1000;
      const achieved = completed > 1 && span > 0 ? (completed - 1) / span : 0;
      const errors = load.status.filter((s) => s !== 201 && s !== 202).length;
      const refusedHist = newHistogram();
      const acceptedHist = newHistogram();
      let refused = 0;
      for (const [i, status] of load.status.entries()) {
        const ms = load.completedAt[i]! - load.scheduledAt[i]!;
        if (status === 503) {
          refused++;
          recordMs(refusedHist, ms);
        } else if (status === 201 || status === 202) recordMs(acceptedHist, ms);
      }
      const endToEnd = observed ? summarise(e2e) : null;
      const p99 = endToEnd?.p99 ?? summarise(decodeHistogram(load.latency)).p99;
      return {
        offered: rate,
        sent: total,
        accepted: acceptedIds.length,
        errors,
        completed,
        missing: acceptedIds.length - completed,
        duplicateEvents: watch.duplicates,
        achieved: Math.round(achieved),
        headlineOnly,
        // Sustainable: everything placed and consumed, at ≥ 95% of the offered rate, without a queue
        // building up (p99 under a second).
        sustainable:
          errors === 0 && acceptedIds.length === completed && achieved >= 0.95 * rate && p99 < 1000,
        http: summarise(decodeHistogram(load.latency)),
        endToEnd,
        endToEndPickup: observed ? summarise(e2eByMethod.pickup) : null,
        endToEndDelivery: observed ? summarise(e2eByMethod.delivery) : null,
        maxSendLagMs: Math.round(load.maxSendLagMs),
        errorSamples: load.errorSamples,
        usage,
        cpuMsPerOrder: usage && completed > 0 ? Math.round((usage.cpuMs / completed) * 100) / 100 : null,
        refused,
        refusedHttp: refused > 0 ? summarise(refusedHist) : null,
        acceptedHttp: acceptedIds.length > 0 ? summarise(acceptedHist) : null,
      };
    };

    const steps: StepResult[] = [];
    let overload: StepResult | null = null;
    try {
      if (o.warmupSeconds > 0)
        await runStep(`orders: warm-up ${o.warmupRate}/s`, o.warmupRate, o.warmupSeconds);
      for (const rate of o.rates) {
        const step = await runStep(`orders: ${rate}/s for ${o.stepSeconds}s`, rate, o.stepSeconds);
        steps.push(step);
        ctx.log(
          `  ${rate}/s offered → ${step.achieved}/s achieved, e2e p99 ${step.endToEnd?.p99 ?? '-'} ms, http p99 ${step.http.p99} ms, errors ${step.errors}, services' event loop ${step.usage ? Math.round(step.usage.eventLoopUtilization * 100) : '-'}% busy, ${step.cpuMsPerOrder ?? '-'} ms CPU/order${step.sustainable ? '' : ' (not sustainable: stepping stops)'}`,
        );
        if (!step.sustainable) break;
      }
      // The latency goal is stated at the headline rate: measure it even when stepping stopped below.
      if (!steps.some((s) => s.offered === o.headlineRate)) {
        const step = await runStep(
          `orders: ${o.headlineRate}/s (headline)`,
          o.headlineRate,
          o.stepSeconds,
          true,
        );
        steps.push(step);
        ctx.log(
          `  ${o.headlineRate}/s offered (headline run) → ${step.achieved}/s achieved, e2e p99 ${step.endToEnd?.p99 ?? '-'} ms`,
        );
      }
      // Overload: offered well past the capacity just found. Admission must refuse the excess at once
      // (503 + Retry-After) and keep the accepted orders' latency bounded.
      const capacity = Math.max(0, ...steps.map((s) => s.achieved));
      if (o.overloadFactor > 0 && capacity > 0) {
        const rate = Math.round(capacity * o.overloadFactor);
        overload = await runStep(`orders: overload ${rate}/s (${o.overloadFactor}× capacity)`, rate, o.stepSeconds, true);
        ctx.log(
          `  overload ${rate}/s offered (${o.overloadFactor}× ${capacity}/s) → ${overload.accepted} accepted (${overload.achieved}/s), ${overload.refused} refused; refusal p99 ${overload.refusedHttp?.p99 ?? '-'} ms, accepted HTTP p99 ${overload.acceptedHttp?.p99 ?? '-'} ms, e2e p99 ${overload.endToEnd?.p99 ?? '-'} ms`,
        );
      }
    } finally {
      await watch.close();
      services.forEach((svc, i) => svc.admission.configure(admissionBefore[i]!));
    }

    const headline = steps.find((s) => s.offered === o.headlineRate) ?? null;
    const sustainable = steps.filter((s) => s.sustainable && !s.headlineOnly);
    const best = sustainable.length > 0 ? sustainable[sustainable.length - 1]! : null;
    const metrics: Metric[] = [
      {
        key: 'maxSustainableRate',
        label: 'max sustainable rate (achieved)',
        value: best ? best.achieved : 0,
        unit: 'orders/s',
        goal: { op: '>=', value: 1_000, text: '≥ 1,000/s' },
      },
      {
        key: 'maxSustainableOffered',
        label: 'max sustainable offered rate',
        value: best ? best.offered : 0,
        unit: 'orders/s',
      },
      {
        key: 'e2eP50At500',
        label: `e2e p50 @ ${o.headlineRate}/s`,
        value: headline?.endToEnd?.p50 ?? null,
        unit: 'ms',
      },
      {
        key: 'e2eP99At500',
        label: `e2e p99 @ ${o.headlineRate}/s`,
        value: headline?.endToEnd?.p99 ?? null,
        unit: 'ms',
        goal: { op: '<', value: 50, text: '< 50 ms' },
      },
      {
        key: 'httpP50At500',
        label: `HTTP p50 @ ${o.headlineRate}/s`,
        value: headline?.http.p50 ?? null,
        unit: 'ms',
      },
      {
        key: 'httpP99At500',
        label: `HTTP p99 @ ${o.headlineRate}/s`,
        value: headline?.http.p99 ?? null,
        unit: 'ms',
      },
      {
        key: 'achievedAt500',
        label: `achieved @ ${o.headlineRate}/s offered`,
        value: headline?.achieved ?? null,
        unit: 'orders/s',
      },
    ];
    metrics.push(
      {
        key: 'overloadOffered',
        label: `overload: offered (${o.overloadFactor}× capacity)`,
        value: overload?.offered ?? null,
        unit: 'orders/s',
      },
      {
        key: 'overloadRefused',
        label: 'overload: refused (503)',
        value: overload?.refused ?? null,
        unit: 'requests',
      },
      {
        key: 'overloadRefusalP99',
        label: 'overload: refusal p99',
        value: overload?.refusedHttp?.p99 ?? null,
        unit: 'ms',
        goal: { op: '<', value: 50, text: '< 50 ms' },
      },
      {
        key: 'overloadAcceptedP99',
        label: 'overload: accepted HTTP p99',
        value: overload?.acceptedHttp?.p99 ?? null,
        unit: 'ms',
        goal: { op: '<', value: 1_000, text: '< 1 s' },
      },
    );
    const all = steps;
    const checks: Check[] = [
      {
        name: 'every order placed',
        ok: all.every((s) => s.errors === 0),
        detail:
          all.map((s) => `${s.offered}/s: ${s.errors} errors`).join(', ') +
          (all.flatMap((s) => s.errorSamples).length
            ? ` — e.g. ${all.flatMap((s) => s.errorSamples)[0]}`
            : ''),
      },
    ];
    if (observed) {
      checks.push(
        {
          name: 'every accepted order reached pickup or dispatch',
          ok: all.every((s) => s.missing === 0),
          detail: all.map((s) => `${s.offered}/s: ${s.completed}/${s.accepted}`).join(', '),
        },
        {
          name: 'one task or job per order (no duplicate created events)',
          ok: watch.duplicates === 0,
          detail: `${watch.duplicates} duplicate created events`,
        },
      );
    }
    if (overload && observed) {
      checks.push({
        name: 'overload: every accepted order reached pickup or dispatch; every other answer a refusal',
        ok: overload.missing === 0 && overload.errors === overload.refused,
        detail: `${overload.completed}/${overload.accepted} accepted orders consumed, ${overload.refused} refused, ${overload.errors - overload.refused} other errors`,
      });
    }
    const latencies: Record<string, LatencySummary> = {};
    if (overload?.refusedHttp) latencies['overload-refused'] = overload.refusedHttp;
    if (overload?.acceptedHttp) latencies['overload-accepted'] = overload.acceptedHttp;
    for (const s of steps) {
      latencies[`http@${s.offered}`] = s.http;
      if (s.endToEnd) latencies[`e2e@${s.offered}`] = s.endToEnd;
      if (s.endToEndPickup) latencies[`e2e-pickup@${s.offered}`] = s.endToEndPickup;
      if (s.endToEndDelivery) latencies[`e2e-delivery@${s.offered}`] = s.endToEndDelivery;
    }
    return {
      config: { ...o, skus, customers: mix.customerIds.length, stores: mix.stores.map((s) => s.id) },
      metrics,
      checks,
      latencies,
      notes: [
        `Open model: a separate process sends order n at start + n/rate through an undici Pool (${o.connections} connections), never waiting for earlier answers; latencies are measured from the scheduled send (no coordinated omission).`,
        `Mix: ${Math.round(o.pickupShare * 100)}% pickup at one of ${mix.stores.length} stores, the rest local delivery ~0.5 km from a store; 1–2 lines of 1–2 units; ${mix.customerIds.length ? 'named demo customers (resolved at customers)' : 'walk-in (no customer)'}; card payment (simulated provider).`,
        observed
          ? 'End-to-end = the bench consumer (its own group on the bus) receiving PickupTaskCreated / DeliveryJobCreated for the order − scheduled send; the two processes share the machine clock.'
          : 'No bus reachable (remote target without KAFKA_BROKERS): end-to-end latency not measured; completion = 201 (saga confirmed).',
        'Sustainable step: no errors, every accepted order consumed, achieved ≥ 95% of offered, p99 < 1 s. Stepping stops at the first unsustainable step.',
        `${o.warmupSeconds}s at ${o.warmupRate}/s of unmeasured warm-up first.`,
        o.overloadFactor > 0
          ? `Overload step: ${o.overloadFactor}× the highest achieved rate, with admission at the edge (in-process: refuse when the smoothed event-loop delay passes ${o.admissionMaxLoopDelayMs} ms or in-flight requests pass an adaptive limit aiming at ${o.admissionTargetLatencyMs} ms; a remote target uses its own settings). Refusals are 503 + Retry-After; their p99 and the accepted orders' p99 are reported.`
          : 'No overload step.',
      ],
      details: { steps, overload },
    };
  },
};
