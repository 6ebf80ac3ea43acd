import { performance } from 'node:perf_hooks';

export interface ProcessUsage {
  /** Wall time of the window. */
  wallMs: number;
  /** CPU time of the whole bench process (main thread + libuv pool + GC threads), user + system. */
  cpuMs: number;
  /** Share of the window the main thread (every service's JavaScript) was busy, 0..1. */
  eventLoopUtilization: number;
}

/**
 * Measures the bench process — where the services run in-process — over a window: how much CPU the
 * system under test used and how saturated its one JavaScript thread was.
 */
export function startUsageWindow(): () => ProcessUsage {
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  return () => {
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    return {
      wallMs: Math.round(performance.now() - t0),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      eventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
    };
  };
}
