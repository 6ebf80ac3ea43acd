import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered: only the fields every check reads are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface KustomizeTool {
  /** How to run it: argv without the directory. */
  command: string[];
  version: string;
}

/**
 * The k8s/ manifests use Kustomize 5 features (labels with includeTemplates, patches with target
 * selectors), so an older kubectl (Debian's kubernetes-client 1.20 bundles kustomize 2) does not count.
 */
const MIN_MAJOR = 5;

function majorOf(version: string): number {
  const m = /v?(\d+)\./.exec(version);
  return m ? Number(m[1]) : 0;
}

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch {
    return undefined;
  }
}

/** A standalone kustomize, else kubectl's built-in one; undefined when neither (new enough) is on PATH. */
export function findKustomize(): KustomizeTool | undefined {
  const standalone = run('kustomize', ['version']);
  if (standalone && majorOf(standalone) >= MIN_MAJOR) {
    return { command: ['kustomize', 'build'], version: `kustomize ${standalone.trim()}` };
  }
  const kubectl = run('kubectl', ['version', '--client', '-o', 'json']);
  if (kubectl) {
    const info = JSON.parse(kubectl) as {
      kustomizeVersion?: string;
      clientVersion?: { gitVersion?: string };
    };
    if (info.kustomizeVersion && majorOf(info.kustomizeVersion) >= MIN_MAJOR) {
      return {
        command: ['kubectl', 'kustomize'],
        version: `kubectl ${info.clientVersion?.gitVersion ?? '?'} (kustomize ${info.kustomizeVersion})`,
      };
    }
  }
  return undefined;
}

export function parseDocuments(text: string, source: string): K8sObject[] {
  const docs: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { merge: true })) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    docs.push(value as K8sObject);
  }
  return docs;
}

/** Renders a kustomization directory (no cluster needed). */
export function render(tool: KustomizeTool, dir: string): K8sObject[] {
  const [cmd, ...args] = tool.command;
  const out = execFileSync(cmd!, [...args, dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return parseDocuments(out, dir);
}
