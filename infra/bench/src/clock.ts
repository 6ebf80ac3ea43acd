/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one
 * machine (both sides derive it from the same system clock at their start). Used to match a request
 * sent by the load-generator process with the event the bench process sees on the bus.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
