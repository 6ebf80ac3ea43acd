import { seedDemo, startSystem, type System } from '../src';
import type { DemoContext } from '../src/demo/flows';

/** The whole embedded system in memory on ephemeral ports, seeded, with the demo's client context. */
export async function startDemoSystem(): Promise<{ sys: System; ctx: DemoContext; ops: string }> {
  const sys = await startSystem({ logLevel: 'silent' });
  const demo = await seedDemo(sys);
  const ctx: DemoContext = {
    urls: sys.urls,
    timelineUrl: sys.timelineUrl,
    tokens: demo.identity.tokens,
    customers: demo.customers,
    log: () => undefined,
  };
  return { sys, ctx, ops: demo.identity.tokens.ops! };
}
