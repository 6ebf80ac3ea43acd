import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as contracts from '@omni/contracts';
import { REPO_ROOT } from './generate';

/**
 * Which topics each service consumes, read from its handlers (`svc.events.on(<Event>, ...)`) and the
 * event's topic in @omni/contracts. A consumer group spreads a topic's partitions over its members,
 * so a service can use at most as many replicas on a topic as the topic has partitions: the manifest
 * test holds the HPA maxima to this.
 */

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

export function consumedTopics(service: string, root = REPO_ROOT): string[] {
  const events = contracts as unknown as Record<string, { topic?: unknown } | undefined>;
  const topics = new Set<string>();
  for (const file of tsFiles(join(root, 'services', service, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bevents\.on\(\s*([A-Za-z_$][\w$]*)/g)) {
      const topic = events[m[1]!]?.topic;
      if (typeof topic !== 'string') throw new Error(`${file}: ${m[1]} is not an event of @omni/contracts`);
      topics.add(topic);
    }
  }
  return [...topics].sort();
}
