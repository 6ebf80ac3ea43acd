import { Pool } from 'undici';
import { epochMs, sleep } from '../clock';
import { encodeHistogram, newHistogram, recordMs } from '../histogram';
import { orderBody } from '../workload/order-bodies';
import type { OrderRateJob, OrderRateResult } from './protocol';

/**
 * Open-model load: order n is sent at `start + n / rate` whether or not earlier ones finished (an
 * undici pool with enough connections that requests do not wait for each other), so a slow system
 * builds a queue instead of slowing the arrivals down. Latency is measured from the SCHEDULED start,
 * which keeps coordinated omission out of the numbers.
 */
export async function runOrderLoad(
  job: OrderRateJob,
  progress: (done: number) => void,
): Promise<OrderRateResult> {
  const total = Math.max(1, Math.round(job.ratePerSecond * job.durationSeconds));
  const intervalMs = 1000 / job.ratePerSecond;
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  // Bodies are built up front so building them is not part of the send path.
  const bodies = Array.from({ length: total }, (_, i) =>
    JSON.stringify(orderBody(job.firstIndex + i, job.mix)),
  );
  const scheduledAt = new Array<number>(total).fill(0);
  const completedAt = new Array<number>(total).fill(0);
  const status = new Array<number>(total).fill(0);
  const orderIds = new Array<string>(total).fill('');
  const errorSamples: string[] = [];
  const latency = newHistogram();
  let maxSendLagMs = 0;
  let finished = 0;

  const send = async (i: number): Promise<void> => {
    try {
      const res = await pool.request({
        path: '/v1/orders',
        method: 'POST',
        headers: {
          authorization: `Bearer ${job.token}`,
          'content-type': 'application/json',
          'idempotency-key': `${job.keyPrefix}-${job.firstIndex + i}`,
        },
        body: bodies[i],
      });
      const text = await res.body.text();
      status[i] = res.statusCode;
      if (res.statusCode === 201 || res.statusCode === 202) {
        orderIds[i] = (JSON.parse(text) as { id: string }).id;
      } else if (errorSamples.length < 5) {
        errorSamples.push(`${res.statusCode} ${text.slice(0, 300)}`);
      }
    } catch (err) {
      status[i] = -1;
      if (errorSamples.length < 5) errorSamples.push(String(err));
    }
    completedAt[i] = epochMs();
    recordMs(latency, completedAt[i] - scheduledAt[i]!);
    if (++finished % 100 === 0) progress(finished);
  };

  const inFlight: Array<Promise<void>> = [];
  const start = epochMs() + 20;
  let next = 0;
  while (next < total) {
    const now = epochMs();
    while (next < total && start + next * intervalMs <= now) {
      scheduledAt[next] = start + next * intervalMs;
      maxSendLagMs = Math.max(maxSendLagMs, now - scheduledAt[next]!);
      inFlight.push(send(next));
      next++;
    }
    if (next < total) await sleep(Math.max(0, start + next * intervalMs - epochMs()));
  }
  await Promise.all(inFlight);
  progress(finished);
  await pool.close();
  return {
    scheduledAt,
    completedAt,
    status,
    orderIds,
    errorSamples,
    maxSendLagMs,
    latency: encodeHistogram(latency),
  };
}
