import { Session } from 'node:inspector/promises';
import type { CpuProfile } from './profile-summary';

/**
 * Samples this process's main thread while `fn` runs (the services, in-process mode) — the same
 * data as `node --cpu-prof`, limited to one scenario instead of the whole run with its seeding.
 * If `fn` throws, the profile is dropped and the error passes through.
 */
export async function withCpuProfile<T>(fn: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    const result = await fn().catch(async (err: unknown) => {
      await session.post('Profiler.stop').catch(() => undefined);
      throw err;
    });
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}
