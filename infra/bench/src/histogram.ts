import * as hdr from 'hdr-histogram-js';

/**
 * Latencies are recorded in HDR histograms in MICROSECONDS (integers, 3 significant digits, up to
 * 10 minutes) and reported in milliseconds. Histograms cross process boundaries (load generator →
 * bench) as compressed base64, so percentiles are computed on the whole distribution, never averaged.
 */
export type Histogram = hdr.Histogram;

const HIGHEST_US = 10 * 60 * 1_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    // Counts can exceed 2^31 in long event-bus runs only in theory; 64-bit buckets cost little here.
    bitBucketSize: 64,
    useWebAssembly: false,
  });
}

/** Records a duration given in milliseconds (fractions kept down to 1 µs; clamped to the range). */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, us)));
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const ms = (us: number) => Math.round(us) / 1000;

export function summarise(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
