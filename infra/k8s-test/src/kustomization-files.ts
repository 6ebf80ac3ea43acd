import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * What a kustomization refers to, checked without Kustomize: every path exists, and every YAML file
 * under k8s/ is used by some kustomization (an orphan file would silently not be deployed).
 */

interface Kustomization {
  resources?: string[];
  components?: string[];
  patches?: Array<{ path?: string; patch?: string }>;
  patchesStrategicMerge?: string[];
  configMapGenerator?: Array<{ files?: string[]; envs?: string[] }>;
  secretGenerator?: Array<{ files?: string[]; envs?: string[] }>;
}

export interface KustomizationFile {
  dir: string;
  /** Complete objects (resources entries that are files). */
  resourceFiles: string[];
  /** Partial objects merged into others (patch files). */
  patchFiles: string[];
  /** Other kustomization directories it includes. */
  directories: string[];
  /** Referenced paths that do not exist. */
  missing: string[];
}

function fileOf(entry: string): string {
  // Generator entries may be "key=path".
  const eq = entry.indexOf('=');
  return eq >= 0 ? entry.slice(eq + 1) : entry;
}

export function readKustomization(dir: string): KustomizationFile {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const out: KustomizationFile = { dir, resourceFiles: [], patchFiles: [], directories: [], missing: [] };
  for (const entry of [...(k.resources ?? []), ...(k.components ?? [])]) {
    if (/^[a-z]+:\/\//.test(entry)) {
      out.missing.push(`${entry} (remote bases are not allowed: rendering must work offline)`);
      continue;
    }
    const path = resolve(dir, entry);
    if (!existsSync(path)) out.missing.push(entry);
    else if (statSync(path).isDirectory()) out.directories.push(path);
    else out.resourceFiles.push(path);
  }
  const patchPaths = [
    ...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])),
    ...(k.patchesStrategicMerge ?? []),
  ];
  for (const entry of patchPaths) {
    const path = resolve(dir, entry);
    if (existsSync(path)) out.patchFiles.push(path);
    else out.missing.push(entry);
  }
  for (const gen of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
    for (const entry of [...(gen.files ?? []), ...(gen.envs ?? [])]) {
      const path = resolve(dir, fileOf(entry));
      if (existsSync(path)) out.patchFiles.push(path);
      else out.missing.push(entry);
    }
  }
  return out;
}

/** The kustomization of `root` and every one it includes, each once. */
export function kustomizationTree(root: string): KustomizationFile[] {
  const seen = new Map<string, KustomizationFile>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    if (!existsSync(join(dir, 'kustomization.yaml'))) throw new Error(`${dir} has no kustomization.yaml`);
    const k = readKustomization(dir);
    seen.set(dir, k);
    k.directories.forEach(visit);
  };
  visit(resolve(root));
  return [...seen.values()];
}

export function yamlFilesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(name)) files.push(path);
  }
  return files;
}

export function relativeTo(root: string, paths: string[]): string[] {
  return paths.map((p) => relative(root, p)).sort();
}
