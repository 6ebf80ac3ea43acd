import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LevelWithSilent } from 'pino';
import { initTracing } from '@omni/kit';
import { PRIVATE_FILE_MODE } from '@omni/store';
import { seedDemo, type DemoSummary } from './seed';
import { SERVICE_NAMES, startSystem } from './system';

/** `npm start` refuses requests while the shared event loop runs this late (ms, smoothed). */
const DEFAULT_MAX_LOOP_DELAY_MS = 100;

/**
 * `npm start`: the whole of Omni in one process on its real ports, embedded store and event log
 * under OMNI_DATA_DIR (default ./.omni-data), demo data on first start. Restarting keeps the data.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.env.OMNI_DATA_DIR ?? '.omni-data');
  const logLevel = (process.env.OMNI_LOG_LEVEL ?? 'warn') as LevelWithSilent;
  const t0 = performance.now();
  // One tracer for the process (every log line gets a trace id); exported when an OTLP endpoint is set.
  initTracing({
    serviceName: 'omni',
    ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }
      : {}),
  });
  const sys = await startSystem({
    dataDir,
    // OMNI_PORTS=ephemeral lets tests run several systems side by side (URLs go to demo.json).
    ports: process.env.OMNI_PORTS === 'ephemeral' ? 'ephemeral' : 'fixed',
    host: process.env.OMNI_HTTP_HOST ?? '127.0.0.1',
    logLevel,
    kafkaBrokers: process.env.KAFKA_BROKERS || undefined,
    mongoUrl: process.env.MONGO_URL || undefined,
    // Past capacity, refuse at once rather than queue (all services share this process's loop).
    // OMNI_ADMISSION_MAX_LOOP_DELAY_MS, when set, is read (and checked) by the kit instead.
    admission: process.env.OMNI_ADMISSION_MAX_LOOP_DELAY_MS
      ? {}
      : { maxLoopDelayMs: DEFAULT_MAX_LOOP_DELAY_MS },
  });
  const marker = join(dataDir, 'demo.json');
  let demo: Pick<DemoSummary, 'identity' | 'customers' | 'stores' | 'riders'>;
  if (!existsSync(marker)) {
    console.log('First start: seeding the demo city (stores, catalog, stock, customers, riders, accounts)…');
    const summary = await seedDemo(sys, { demoTokenTtlSeconds: 30 * 24 * 3600 });
    demo = {
      identity: summary.identity,
      customers: summary.customers,
      stores: summary.stores,
      riders: summary.riders,
    };
    console.log(
      `Seeded ${summary.skus.length} SKUs, ${summary.stores.length} stores, ${summary.warehouses.length} warehouses, ${summary.riders.length} riders in ${summary.ms} ms.`,
    );
  } else {
    demo = JSON.parse(readFileSync(marker, 'utf8')) as typeof demo;
  }
  // Every address, on every start: with OMNI_PORTS=ephemeral they change each time, and
  // `npm run demo` finds the system only through this file. Demo tokens inside: owner-only.
  writeFileSync(
    marker,
    JSON.stringify(
      { ...demo, urls: sys.urls, grpcAddresses: sys.grpcAddresses, timelineUrl: sys.timelineUrl },
      null,
      2,
    ),
    { mode: PRIVATE_FILE_MODE },
  );
  chmodSync(marker, PRIVATE_FILE_MODE);

  const line = '─'.repeat(78);
  console.log(
    `\n${line}\nOmni is running (embedded: ${dataDir}) — started in ${Math.round(performance.now() - t0)} ms\n${line}`,
  );
  for (const name of SERVICE_NAMES) {
    console.log(`  ${name.padEnd(10)} ${sys.urls[name]}/docs`);
  }
  console.log(
    `  gRPC       catalog ${sys.grpcAddresses.catalog} · inventory ${sys.grpcAddresses.inventory} · customers ${sys.grpcAddresses.customers}`,
  );
  console.log(`\n${demo.identity.warning}`);
  const t = demo.identity.tokens;
  const show = (label: string, key: string) => t[key] && console.log(`  ${label.padEnd(28)} ${t[key]}`);
  show('ops', 'ops');
  show('store clerk S01', 'clerk:S01');
  show('store manager S01', 'manager:S01');
  show('POS client S01', 'pos:S01');
  show('rider R001', 'rider:R001');
  const firstCustomer = demo.customers[0];
  if (firstCustomer) show(`customer ${firstCustomer.name}`, `customer:${firstCustomer.customerId}`);
  show('service client storefront', 'service:storefront');
  console.log(`\nAll demo tokens and accounts: ${marker}`);
  console.log(`Try: curl '${sys.urls.catalog}/v1/products?limit=3'`);
  console.log(`Run the scripted O2O demo in another terminal: npm run demo\n${line}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping gracefully…`);
    sys
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
