import { Pool } from 'undici';
import { encodeHistogram, newHistogram, recordMs } from '../histogram';
import { posOpsForStore } from '../workload/pos-ops';
import type { PosSyncJob, PosSyncLoadResult } from './protocol';

/**
 * Every store uploads its batch at the same time, as tills do when a network outage ends: one
 * connection per store, the batch in `chunk`-sized requests sent one after the other in seq order.
 */
export async function runPosLoad(
  job: PosSyncJob,
  progress: (done: number) => void,
): Promise<PosSyncLoadResult> {
  const pool = new Pool(job.url, { connections: job.stores.length, pipelining: 1 });
  const latency = newHistogram();
  const outcomes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let requests = 0;
  let failedRequests = 0;
  let opsDone = 0;
  const batches = job.stores.map((storeId) => {
    const ops = posOpsForStore(job.runId, storeId, job.opsPerStore, job.skus);
    const chunks: string[] = [];
    for (let i = 0; i < ops.length; i += job.chunk)
      chunks.push(JSON.stringify({ ops: ops.slice(i, i + job.chunk) }));
    return { storeId, chunks, sizes: chunks.map((_, k) => Math.min(job.chunk, ops.length - k * job.chunk)) };
  });

  const started = performance.now();
  await Promise.all(
    batches.map(async ({ storeId, chunks, sizes }) => {
      for (const [k, body] of chunks.entries()) {
        const t0 = performance.now();
        requests++;
        try {
          const res = await pool.request({
            path: `/v1/stores/${encodeURIComponent(storeId)}/sync`,
            method: 'POST',
            headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
            body,
          });
          const text = await res.body.text();
          recordMs(latency, performance.now() - t0);
          if (res.statusCode !== 200) {
            failedRequests++;
            if (errorSamples.length < 5)
              errorSamples.push(`${storeId}: ${res.statusCode} ${text.slice(0, 300)}`);
            continue;
          }
          const answer = JSON.parse(text) as { results: Array<{ status: string }> };
          for (const r of answer.results) outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
        } catch (err) {
          failedRequests++;
          if (errorSamples.length < 5) errorSamples.push(`${storeId}: ${String(err)}`);
        }
        opsDone += sizes[k]!;
        progress(opsDone);
      }
    }),
  );
  const durationMs = performance.now() - started;
  await pool.close();
  return { durationMs, requests, outcomes, failedRequests, errorSamples, latency: encodeHistogram(latency) };
}
