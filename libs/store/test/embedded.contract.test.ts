import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createEmbeddedStore } from '../src/embedded';
import { runStoreContract } from './contract';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

runStoreContract('store contract on embedded (memory)', async () => createEmbeddedStore());

runStoreContract('store contract on embedded (data dir)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'omni-store-contract-'));
  dirs.push(dir);
  // A small threshold so the suite also exercises snapshot rotation under load.
  return createEmbeddedStore({ dir, snapshotThresholdBytes: 16 * 1024 });
});

// The runtime's configuration: no AsyncLocalStorage session guard. Transactions must behave the same.
runStoreContract('store contract on embedded (memory, no session guard)', async () =>
  createEmbeddedStore({ guardSessions: false }),
);
