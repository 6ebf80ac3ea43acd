import autocannon from 'autocannon';
import { encodeHistogram, newHistogram, recordMs } from '../histogram';
import type { HotSkuJob, HotSkuLoadResult } from './protocol';

interface RunOutcome {
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  durationMs: number;
  responses: number;
}

/**
 * One autocannon run of reserve attempts for `sku`: `attempts` requests over `concurrency`
 * keep-alive connections, each body a new reservation id (setupRequest) for one unit at the next
 * location (round-robin).
 */
function reserveRun(
  job: HotSkuJob,
  sku: string,
  attempts: number,
  idTag: string,
  onResponse: (status: number, ms: number) => void,
): Promise<RunOutcome> {
  let n = 0;
  const statusCounts: Record<string, number> = {};
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.concurrency,
        amount: attempts,
        timeout: 60,
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: '/v1/reservations',
            setupRequest: (req) => {
              const i = n++;
              return {
                ...req,
                body: JSON.stringify({
                  reservationId: `${job.idPrefix}${idTag}-${i}`,
                  locationId: job.locations[i % job.locations.length],
                  lines: [{ sku, qty: 1 }],
                  channel: 'online',
                }),
              };
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({
          statusCounts,
          errors: result.errors,
          timeouts: result.timeouts,
          durationMs: performance.now() - started,
          responses: Object.values(statusCounts).reduce((a, b) => a + b, 0),
        });
      },
    );
    // autocannon emits (client, status, bytes, ms) at runtime; its type definitions omit the client.
    (instance as NodeJS.EventEmitter).on(
      'response',
      (_client: unknown, status: number, _bytes: number, ms: number) => {
        statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
        onResponse(status, ms);
      },
    );
  });
}

export async function runHotSkuLoad(
  job: HotSkuJob,
  progress: (done: number) => void,
): Promise<HotSkuLoadResult> {
  if (job.warmup) await reserveRun(job, job.warmup.sku, job.warmup.attempts, 'w', () => undefined);
  const latency = newHistogram();
  let done = 0;
  const outcome = await reserveRun(job, job.sku, job.attempts, 'm', (_status, ms) => {
    recordMs(latency, ms);
    if (++done % 250 === 0) progress(done);
  });
  progress(done);
  return { ...outcome, latency: encodeHistogram(latency) };
}
