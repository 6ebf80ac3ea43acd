/**
 * `npx tsx infra/bench/src/ab.ts --variant a:ENV=x --variant b:ENV=y [--rounds 3] [--rate 60] [--seconds 8]`
 *
 * A/B of CPU per order on a shared machine: each round starts the in-process system once per variant
 * (its environment set first), places orders at a fixed low rate (far below capacity, so queueing and
 * the machine's other load change little), and reports the services' CPU time per completed order.
 * Variants alternate within a round, so a change in the machine's load hits both alike.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { silentProgress } from './progress';
import { orderPlacement, type StepResult } from './scenarios/order-placement';
import { startInProcessTarget } from './target';

interface Variant {
  name: string;
  env: Record<string, string>;
}

function parseVariant(spec: string): Variant {
  const [name, ...assignments] = spec.split(':');
  const env: Record<string, string> = {};
  for (const a of assignments.join(':').split(',').filter(Boolean)) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`--variant ${spec}: expected name:KEY=value[,KEY=value]`);
    env[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return { name: name!, env };
}

interface Measured {
  step: StepResult;
  /** Mean `version` of the orders placed: how many times each order document was written. */
  writesPerOrder: number;
}

async function measure(variant: Variant, rate: number, seconds: number): Promise<Measured> {
  const saved = Object.fromEntries(Object.keys(variant.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, variant.env);
  const target = await startInProcessTarget();
  try {
    const defaults = orderPlacement.defaults(false);
    const result = await orderPlacement.run(
      { target, quick: false, runId: randomUUID().slice(0, 8), progress: silentProgress, log: () => undefined },
      {
        ...defaults,
        rates: [rate],
        stepSeconds: seconds,
        headlineRate: rate,
        warmupRate: rate,
        warmupSeconds: 3,
        drainSeconds: 30,
        connections: 64,
        overloadFactor: 0,
        admissionMaxLoopDelayMs: 0,
        admissionTargetLatencyMs: 0,
      },
    );
    const steps = (result.details as { steps: StepResult[] }).steps;
    const orders = await target.system!.orders.store
      .collection<{ _id: string; version: number }>('orders')
      .find({}, { projection: { version: 1 } });
    const writes = orders.reduce((sum, o) => sum + o.version, 0) / Math.max(1, orders.length);
    return { step: steps[steps.length - 1]!, writesPerOrder: Math.round(writes * 100) / 100 };
  } finally {
    await target.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '60' },
      seconds: { type: 'string', default: '8' },
    },
  });
  const variants = (values.variant ?? []).map(parseVariant);
  if (variants.length < 1) throw new Error('give one or more --variant name:KEY=value');
  const rounds = Number(values.rounds);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const cpu: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = 1; r <= rounds; r++) {
    // Alternate the order too, so neither variant always runs first (warmer or cooler machine).
    const order = r % 2 === 1 ? variants : [...variants].reverse();
    for (const v of order) {
      const { step, writesPerOrder } = await measure(v, rate, seconds);
      cpu[v.name]!.push(step.cpuMsPerOrder ?? NaN);
      console.log(
        `round ${r} ${v.name}: ${step.cpuMsPerOrder} ms CPU/order (${step.completed}/${step.sent} completed, errors ${step.errors}, http p99 ${step.http.p99} ms, e2e p99 ${step.endToEnd?.p99 ?? '-'} ms, order document written ${writesPerOrder}× per order)`,
      );
    }
  }
  for (const v of variants) {
    const xs = cpu[v.name]!;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`${v.name}: ${xs.join(', ')} → mean ${mean.toFixed(2)} ms CPU/order`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
