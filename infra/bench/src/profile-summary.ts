/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof` or `npm run bench -- --cpu-prof`): self time
 * by function and by package/folder. CLI: `npx tsx infra/bench/src/profile-summary.ts <file> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  byFunction: SelfTimeRow[];
  /** node_modules package, workspace folder (services/x, libs/x), node internals. */
  byArea: SelfTimeRow[];
  /** Inclusive (self + callees) time of workspace functions (services/, libs/): which use case costs. */
  inclusive: SelfTimeRow[];
}

function areaOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ws = /\/(services|libs|infra)\/([^/]+)\//.exec(url);
  if (ws) return `${ws[1]}/${ws[2]}`;
  return url.replace(/^file:\/\//, '');
}

function shortWhere(url: string, line: number): string {
  if (!url) return '';
  const trimmed = url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '~/')
    .replace(/^.*?\/(services|libs|infra)\//, '$1/');
  // tsx emits each TypeScript module on one line: a line number would say nothing.
  return trimmed.endsWith('.ts') ? trimmed : `${trimmed}:${line + 1}`;
}

export function summariseProfile(profile: CpuProfile, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = profile.endTime - profile.startTime;
  let idleUs = 0;
  let gcUs = 0;
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const area = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id)!;
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    if (name === '(garbage collector)') gcUs += us;
    const where = shortWhere(callFrame.url, callFrame.lineNumber);
    const key = `${name}@${where}`;
    const row = fn.get(key) ?? { name, where, us: 0 };
    row.us += us;
    fn.set(key, row);
    const a = name.startsWith('(') ? name : areaOf(callFrame.url);
    area.set(a, (area.get(a) ?? 0) + us);
  }
  // Inclusive time: every distinct workspace function on the sampled stack gets the sample's time.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    const onStack = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const { callFrame } = byId.get(id)!;
      if (!/\/(services|libs)\//.test(callFrame.url) || callFrame.url.includes('/node_modules/')) continue;
      const name = callFrame.functionName || '(anonymous)';
      const where = shortWhere(callFrame.url, callFrame.lineNumber);
      const key = `${name}@${where}`;
      if (onStack.has(key)) continue;
      onStack.add(key);
      const row = inclusive.get(key) ?? { name, where, us: 0 };
      row.us += us;
      inclusive.set(key, row);
    }
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const toRow = (name: string, where: string, us: number): SelfTimeRow => ({
    name,
    where,
    selfMs: Math.round(us / 100) / 10,
    pct: Math.round((us / busyUs) * 1000) / 10,
  });
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    gcMs: Math.round(gcUs / 1000),
    byFunction: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((r) => toRow(r.name, r.where, r.us)),
    byArea: [...area]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([a, us]) => toRow(a, '', us)),
    inclusive: [...inclusive.values()]
      .filter((r) => r.name !== '(anonymous)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((r) => toRow(r.name, r.where, r.us)),
  };
}

export function formatProfileSummary(s: ProfileSummary, title: string): string {
  const out = [
    `### ${title}`,
    '',
    `${s.totalMs} ms profiled, ${s.idleMs} ms idle, ${s.gcMs} ms GC; percentages are of busy (non-idle) time.`,
    '',
    '| self % | self ms | area |',
    '|---|---|---|',
    ...s.byArea.slice(0, 15).map((r) => `| ${r.pct} | ${r.selfMs} | ${r.name} |`),
    '',
    '| self % | self ms | function | where |',
    '|---|---|---|---|',
    ...s.byFunction.map((r) => `| ${r.pct} | ${r.selfMs} | ${r.name} | ${r.where} |`),
    '',
    'Inclusive time of workspace functions (self + everything they call):',
    '',
    '| incl. % | incl. ms | function | where |',
    '|---|---|---|---|',
    ...s.inclusive.map((r) => `| ${r.pct} | ${r.selfMs} | ${r.name} | ${r.where} |`),
    '',
  ];
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx infra/bench/src/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatProfileSummary(summariseProfile(profile, top ? Number(top) : 30), file));
}
