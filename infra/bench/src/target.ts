import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createKafkaBus, type EventBus } from '@omni/events';
import {
  demoLocations,
  FIXED_PORTS,
  SERVICE_NAMES,
  seedDemo,
  startSystem,
  type ServiceName,
  type SystemOptions,
} from '@omni/runtime';
import type { Target } from './types';

export interface InProcessOptions {
  /** Durable data directory; absent: memory store and memory event log. */
  dataDir?: string;
}

/**
 * Starts every service in this process (ephemeral ports, logs at warn so logging does not skew the
 * numbers) and seeds the demo city: stores, riders, zones, customers, an ops token.
 */
export async function startInProcessTarget(opts: InProcessOptions = {}): Promise<Target> {
  // `timeline` (the runtime's developer tool indexing every event by order) is switched off: it is
  // not part of any production path. Passed through a variable so runtimes without it still typecheck.
  const options: SystemOptions & { timeline?: boolean } = {
    ports: 'ephemeral',
    logLevel: 'warn',
    timeline: false,
    ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
  };
  const system = await startSystem(options);
  try {
    const demo = await seedDemo(system, { demoTokenTtlSeconds: 24 * 3600 });
    const opsToken = demo.identity.tokens.ops;
    if (!opsToken) throw new Error('seedDemo returned no ops token');
    return {
      mode: 'in-process',
      urls: system.urls,
      opsToken,
      bus: system.bus,
      system,
      demo: {
        customerIds: demo.customers.map((c) => c.customerId),
        stores: demoLocations().filter((l) => l.type === 'store'),
      },
      close: () => system.stop(),
    };
  } catch (err) {
    await system.stop().catch(() => undefined);
    throw err;
  }
}

interface DemoFile {
  identity?: { tokens?: Record<string, string> };
  customers?: Array<{ customerId: string }>;
  urls?: Partial<Record<ServiceName, string>>;
}

export interface RemoteOptions {
  /** `{"inventory":"http://…",…}` (JSON) or a base URL whose host serves every service on its fixed port. */
  target: string;
  /** Ops token; default OMNI_BENCH_TOKEN, then the demo.json of OMNI_DATA_DIR (or ./.omni-data). */
  token?: string;
  kafkaBrokers?: string;
}

/** URLs of a running deployment from `--target`. */
export function parseTargetUrls(target: string): Record<ServiceName, string> {
  const trimmed = target.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as Partial<Record<ServiceName, string>>;
    const missing = SERVICE_NAMES.filter((s) => !parsed[s]);
    if (missing.length > 0) throw new Error(`--target JSON lacks URLs for: ${missing.join(', ')}`);
    return Object.fromEntries(SERVICE_NAMES.map((s) => [s, parsed[s]!.replace(/\/$/, '')])) as Record<
      ServiceName,
      string
    >;
  }
  const base = new URL(trimmed);
  return Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, `${base.protocol}//${base.hostname}:${FIXED_PORTS[s].http}`]),
  ) as Record<ServiceName, string>;
}

/**
 * A deployment started elsewhere (`npm start`, k8s). Seeding goes over HTTP with the ops token.
 * Consumer-side latencies need the bus: Kafka when KAFKA_BROKERS is set, otherwise they are
 * reported as not measured.
 */
export async function connectRemoteTarget(opts: RemoteOptions): Promise<Target> {
  const urls = parseTargetUrls(opts.target);
  const demoPath = join(resolve(process.env.OMNI_DATA_DIR ?? '.omni-data'), 'demo.json');
  const demoFile: DemoFile = existsSync(demoPath)
    ? (JSON.parse(readFileSync(demoPath, 'utf8')) as DemoFile)
    : {};
  const opsToken = opts.token ?? process.env.OMNI_BENCH_TOKEN ?? demoFile.identity?.tokens?.ops;
  if (!opsToken) {
    throw new Error(
      `a remote target needs an ops token: --token, OMNI_BENCH_TOKEN, or ${demoPath} (written by npm start)`,
    );
  }
  let bus: EventBus | null = null;
  if (opts.kafkaBrokers) {
    bus = createKafkaBus({ brokers: opts.kafkaBrokers.split(','), clientId: 'omni-bench' });
  }
  return {
    mode: 'remote',
    urls,
    opsToken,
    bus,
    system: null,
    demo: {
      customerIds: (demoFile.customers ?? []).map((c) => c.customerId),
      stores: demoLocations().filter((l) => l.type === 'store'),
    },
    close: async () => {
      await bus?.close();
    },
  };
}
