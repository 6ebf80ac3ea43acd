import { readFileSync } from 'node:fs';

/**
 * Instructions of a Dockerfile as Docker reads them: comment lines dropped, continuation lines
 * (ending in a backslash) joined without the backslash and newline.
 */
export function dockerfileInstructions(path: string): string[] {
  const instructions: string[] = [];
  let current = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1);
      continue;
    }
    current += line;
    if (current.trim() !== '') instructions.push(current.trim());
    current = '';
  }
  return instructions;
}

/** The shell command of the (single) RUN instruction that mentions `needle`. */
export function runInstruction(path: string, needle: string): string {
  const runs = dockerfileInstructions(path).filter((i) => /^RUN\s/.test(i) && i.includes(needle));
  if (runs.length !== 1)
    throw new Error(`expected one RUN with "${needle}" in ${path}, found ${runs.length}`);
  // Drop RUN and any --mount/--network flags: what is left is the shell-form command.
  return runs[0]!.replace(/^RUN\s+(--\S+\s+)*/, '');
}

/** Default values of the ARGs declared before the first FROM (the only ones a FROM line can use). */
export function globalArgs(path: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const i of dockerfileInstructions(path)) {
    if (i.startsWith('FROM ')) break;
    const m = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(i);
    if (m?.[2] !== undefined) args[m[1]!] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return args;
}

/**
 * The images the stages start from, as Docker resolves them: ARG defaults substituted, `--platform`
 * dropped, and stage names (FROM runtime AS svc-x, FROM svc-${SERVICE}) left out, so only images
 * pulled from a registry remain.
 */
export function baseImages(path: string): string[] {
  const args = globalArgs(path);
  const stages = new Set<string>();
  const images: string[] = [];
  for (const i of dockerfileInstructions(path)) {
    const m = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i);
    if (!m) continue;
    const image = m[1]!.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
    if (!stages.has(image) && !/^svc-/.test(image)) images.push(image);
    if (m[2]) stages.add(m[2]);
  }
  return images;
}

/** Node.js major version of an official node or distroless nodejs image reference, if it names one. */
export function nodeMajorOf(image: string): number | undefined {
  const m = /(?:^|\/)node:(\d+)|\/nodejs(\d+)-/.exec(image);
  const major = m?.[1] ?? m?.[2];
  return major === undefined ? undefined : Number(major);
}
