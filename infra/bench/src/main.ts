/**
 * `npm run bench [-- --scenario hot-sku,order-placement] [--target URL|JSON] [--quick] …`
 * Starts the embedded system in-process (unless --target), runs the scenarios with progress bars,
 * prints a table (result next to its goal) and writes bench/report.md + bench/report.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, runBench, writeReport, type RunBenchOptions } from './index';
import { terminalProgress, silentProgress } from './progress';
import { connectRemoteTarget } from './target';
import { SCENARIO_NAMES, type ScenarioName } from './types';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../../..');

const HELP = `npm run bench -- [options]

  --scenario <a,b>     ${SCENARIO_NAMES.join(', ')} (default: all)
  --quick              every scenario ~10x smaller (smoke run)
  --target <url|json>  a running deployment instead of the in-process system:
                       a base URL (services on their fixed ports) or {"inventory":"http://…",…}
  --token <jwt>        ops token for --target (default OMNI_BENCH_TOKEN or .omni-data/demo.json)
  --data-dir <dir>     in-process system on a durable data dir (default: memory)
  --concurrency <n>    hot-sku connections (default 200)
  --rates <a,b,…>      order-placement offered rates, orders/s (default 250,500,750,1000,1500,2000)
  --step-seconds <n>   order-placement seconds per rate (default 10)
  --cpu-prof           sample the bench process (the services) during each scenario;
                       writes bench/<scenario>.cpuprofile and a self-time summary into the report
  --out <dir>          where report.md / report.json go (default <repo>/bench)
  --no-progress        no progress bars
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      quick: { type: 'boolean', default: false },
      target: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      concurrency: { type: 'string' },
      rates: { type: 'string' },
      'step-seconds': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const scenarios = (
    values.scenario ? values.scenario.split(',').map((s) => s.trim()) : [...SCENARIO_NAMES]
  ) as ScenarioName[];
  const unknown = scenarios.filter((s) => !SCENARIO_NAMES.includes(s));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}\n\n${HELP}`);
    return 2;
  }
  const number = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  const overrides: RunBenchOptions['overrides'] = {};
  const concurrency = number('concurrency', values.concurrency);
  if (concurrency) overrides['hot-sku'] = { concurrency };
  const stepSeconds = number('step-seconds', values['step-seconds']);
  const rates = values.rates?.split(',').map((r) => number('rates', r)!);
  if (rates || stepSeconds) {
    overrides['order-placement'] = { ...(rates ? { rates } : {}), ...(stepSeconds ? { stepSeconds } : {}) };
  }
  const outDir = resolve(values.out ?? join(REPO, 'bench'));
  const target = values.target
    ? await connectRemoteTarget({
        target: values.target,
        ...(values.token ? { token: values.token } : {}),
        ...(process.env.KAFKA_BROKERS ? { kafkaBrokers: process.env.KAFKA_BROKERS } : {}),
      })
    : undefined;

  const report = await runBench({
    scenarios,
    quick: values.quick,
    overrides,
    ...(target ? { target } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    progress: values['no-progress'] ? silentProgress : terminalProgress(),
    log: (m) => console.log(m),
    cpuProfile: values['cpu-prof'] ? { dir: outDir } : null,
    command:
      process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench',
  });
  if (target) await target.close();

  // The written findings of the last profiling session travel with every report.
  const findings = join(HERE, '..', 'PROFILE.md');
  if (existsSync(findings)) {
    report.profile = [readFileSync(findings, 'utf8').replace(/^# .*\n+/, ''), report.profile ?? ''].join(
      '\n',
    );
  }
  const files = writeReport(report, outDir);
  console.log(`\n${formatTable(report)}\n`);
  console.log(`Report: ${files.md}\n        ${files.json}`);
  const failedChecks = report.scenarios.some((s) => s.error || s.checks.some((c) => !c.ok));
  if (failedChecks) console.log('\nSome correctness checks failed or a scenario errored (see the report).');
  return failedChecks ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
