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
