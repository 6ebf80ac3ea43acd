import { Pool } from 'undici';
import { epochMs, sleep } from '../clock';
import { encodeHistogram, newHistogram, recordMs } from '../histogram';
import type { QuoteRateJob, QuoteRateResult } from './protocol';

/**
 * Open-model quotes: quote n is sent at `start + n / rate` whatever earlier ones are doing; latency
 * from the scheduled start (no coordinated omission), as the order load does.
 */
export async function runQuoteLoad(
  job: QuoteRateJob,
  progress: (done: number) => void,
): Promise<QuoteRateResult> {
  const total = Math.max(1, Math.round(job.ratePerSecond * job.durationSeconds));
  const intervalMs = 1000 / job.ratePerSecond;
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  const latency = newHistogram();
  let withDelivery = 0;
  let notServiceable = 0;
  let maxSendLagMs = 0;
  let finished = 0;

  const send = async (i: number, scheduledAt: number): Promise<void> => {
    let status = '-1';
    try {
      const res = await pool.request({
        path: '/v1/quotes',
        method: 'POST',
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
        body: job.bodies[i % job.bodies.length],
      });
      const text = await res.body.text();
      status = String(res.statusCode);
      if (res.statusCode === 200) {
        const q = JSON.parse(text) as { delivery: unknown[]; unavailable: Array<{ code: string }> };
        if (q.delivery.length > 0) withDelivery++;
        if (q.unavailable.some((u) => u.code === 'not-serviceable')) notServiceable++;
      } else if (errorSamples.length < 5) errorSamples.push(`${res.statusCode} ${text.slice(0, 300)}`);
    } catch (err) {
      if (errorSamples.length < 5) errorSamples.push(String(err));
    }
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    recordMs(latency, epochMs() - scheduledAt);
    if (++finished % 100 === 0) progress(finished);
  };

  const inFlight: Array<Promise<void>> = [];
  const start = epochMs() + 20;
  let next = 0;
  while (next < total) {
    const now = epochMs();
    while (next < total && start + next * intervalMs <= now) {
      const at = start + next * intervalMs;
      maxSendLagMs = Math.max(maxSendLagMs, now - at);
      inFlight.push(send(next, at));
      next++;
    }
    if (next < total) await sleep(Math.max(0, start + next * intervalMs - epochMs()));
  }
  await Promise.all(inFlight);
  const durationMs = epochMs() - start;
  progress(finished);
  await pool.close();
  return {
    statusCounts,
    withDelivery,
    notServiceable,
    errorSamples,
    maxSendLagMs,
    durationMs,
    latency: encodeHistogram(latency),
  };
}
