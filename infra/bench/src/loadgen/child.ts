/**
 * The load-generator process. The bench forks it so the requests are produced on a different
 * process (and, on a 2-core machine, a different core) than the services under test.
 * Protocol: one LoadJob in, progress messages and one result (or error) out, then exit.
 */
import { runHotSkuLoad } from './hot-sku-load';
import { runOrderLoad } from './order-load';
import { runPosLoad } from './pos-load';
import { runQuoteLoad } from './quote-load';
import type { ChildMessage, LoadJob } from './protocol';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

let lastProgress = 0;
function progress(done: number): void {
  const now = performance.now();
  if (now - lastProgress < 100) return;
  lastProgress = now;
  void send({ type: 'progress', done });
}

async function run(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case 'hot-sku':
      return runHotSkuLoad(job, progress);
    case 'orders':
      return runOrderLoad(job, progress);
    case 'pos-sync':
      return runPosLoad(job, progress);
    case 'quotes':
      return runQuoteLoad(job, progress);
  }
}

process.once('message', (job: LoadJob) => {
  run(job)
    .then((result) => send({ type: 'result', result }))
    .catch((err: unknown) =>
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
    .finally(() => process.disconnect?.());
});
