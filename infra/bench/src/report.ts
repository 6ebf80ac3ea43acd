import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine';
import type { StepResult } from './scenarios/order-placement';
import { goalMet, type Metric, type ScenarioResult } from './types';

export interface BenchReport {
  machine: MachineInfo;
  target: { mode: 'in-process' | 'remote'; dataDir: string | null };
  quick: boolean;
  command: string;
  scenarios: ScenarioResult[];
  /** Appended by hand or by a profiling run (see README). */
  profile?: string;
}

function formatValue(m: Metric): string {
  if (m.value === null) return 'n/a';
  const v = Number.isInteger(m.value)
    ? m.value.toLocaleString('en-US')
    : m.value.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return `${v} ${m.unit}`;
}

function verdict(m: Metric): string {
  const met = goalMet(m);
  if (met === null) return m.goal ? 'not measured' : '';
  return met ? 'met' : 'NOT MET';
}

export interface Row {
  scenario: string;
  metric: string;
  result: string;
  goal: string;
  status: string;
}

export function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const s of report.scenarios) {
    if (s.error)
      out.push({
        scenario: s.name,
        metric: 'ERROR',
        result: s.error.split('\n')[0]!.slice(0, 80),
        goal: '',
        status: 'failed',
      });
    for (const m of s.metrics) {
      out.push({
        scenario: s.name,
        metric: m.label,
        result: formatValue(m),
        goal: m.goal?.text ?? '',
        status: verdict(m),
      });
    }
    const failed = s.checks.filter((c) => !c.ok);
    out.push({
      scenario: s.name,
      metric: 'correctness checks',
      result: `${s.checks.length - failed.length}/${s.checks.length} passed`,
      goal: 'all',
      status: failed.length === 0 ? 'met' : 'NOT MET',
    });
  }
  return out;
}

/** The table printed at the end of a run. */
export function formatTable(report: BenchReport): string {
  const r = rows(report);
  const header: Row = {
    scenario: 'scenario',
    metric: 'metric',
    result: 'result',
    goal: 'goal',
    status: 'status',
  };
  const cols = ['scenario', 'metric', 'result', 'goal', 'status'] as const;
  const width = Object.fromEntries(
    cols.map((c) => [c, Math.max(...[header, ...r].map((x) => x[c].length))]),
  ) as Record<(typeof cols)[number], number>;
  const line = (x: Row) => cols.map((c) => x[c].padEnd(width[c])).join('  ');
  const rule = cols.map((c) => '─'.repeat(width[c])).join('  ');
  const out = [line(header), rule];
  let last = '';
  for (const x of r) {
    if (last && x.scenario !== last) out.push('');
    out.push(line(x.scenario === last ? { ...x, scenario: '' } : x));
    last = x.scenario;
  }
  return out.join('\n');
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [];
  out.push('# Omni benchmark report', '');
  out.push(
    `Run ${m.date} — \`${report.command}\`${report.quick ? ' (**quick**: every scenario ~10× smaller)' : ''}`,
    '',
  );
  out.push('## Machine', '');
  out.push(
    `- ${m.cores} cores (available parallelism ${m.availableParallelism}), ${m.cpuModel}, ${m.totalMemoryGiB} GiB`,
  );
  out.push(`- Node ${m.node}, ${m.platform}`);
  out.push(`- Load average at start: ${m.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min)`);
  out.push(
    `- Target: ${report.target.mode === 'in-process' ? `every service in the bench process (embedded store ${report.target.dataDir ? `durable in ${report.target.dataDir}` : 'in memory'}, embedded event log), load generators in a separate process` : 'remote deployment'}`,
    '',
  );
  out.push('## Results', '');
  out.push('| scenario | metric | result | goal | status |', '|---|---|---|---|---|');
  for (const r of rows(report))
    out.push(`| ${esc(r.scenario)} | ${esc(r.metric)} | ${esc(r.result)} | ${esc(r.goal)} | ${r.status} |`);
  out.push('');
  for (const s of report.scenarios) {
    out.push(`## ${s.title} (\`${s.name}\`)`, '');
    if (s.error) out.push('**Failed:**', '', '```', s.error, '```', '');
    out.push(
      `Took ${(s.durationMs / 1000).toFixed(1)} s. Config: \`${JSON.stringify(s.config).slice(0, 600)}\``,
      '',
    );
    for (const n of s.notes) out.push(`- ${n}`);
    out.push('');
    const lat = Object.entries(s.latencies);
    if (lat.length > 0) {
      out.push(
        '| latency (ms) | count | p50 | p90 | p99 | p99.9 | max | mean |',
        '|---|---|---|---|---|---|---|---|',
      );
      for (const [name, l] of lat)
        out.push(
          `| ${name} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.p999} | ${l.max} | ${l.mean} |`,
        );
      out.push('');
    }
    out.push('Checks:', '');
    for (const c of s.checks) out.push(`- ${c.ok ? '✅' : '❌'} ${c.name} — ${esc(c.detail)}`);
    out.push('');
    const steps = (s.details as { steps?: Array<Record<string, unknown>> } | undefined)?.steps;
    if (steps && steps.length > 0) {
      out.push(
        "| offered/s | sent | accepted | errors | consumed | achieved/s | e2e p50 | e2e p99 | HTTP p50 | HTTP p99 | services' event loop busy | CPU ms/order | generator lag max | sustainable |",
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      );
      for (const st of steps as unknown as StepResult[]) {
        out.push(
          `| ${st.offered} | ${st.sent} | ${st.accepted} | ${st.errors} | ${st.completed} | ${st.achieved} | ${st.endToEnd?.p50 ?? 'n/a'} | ${st.endToEnd?.p99 ?? 'n/a'} | ${st.http.p50} | ${st.http.p99} | ${st.usage ? `${Math.round(st.usage.eventLoopUtilization * 100)}%` : 'n/a'} | ${st.cpuMsPerOrder ?? 'n/a'} | ${st.maxSendLagMs} ms | ${st.headlineOnly ? 'headline run' : st.sustainable ? 'yes' : 'no'} |`,
        );
      }
      out.push('');
    }
  }
  if (report.profile) out.push('## Profile', '', report.profile, '');
  return out.join('\n');
}

export function writeReport(report: BenchReport, dir: string): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'report.md');
  const json = join(dir, 'report.json');
  writeFileSync(md, toMarkdown(report));
  writeFileSync(json, JSON.stringify(report, null, 2));
  return { md, json };
}
