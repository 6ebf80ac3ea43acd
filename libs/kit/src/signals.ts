import type { Logger } from 'pino';

/**
 * Installs SIGTERM/SIGINT handlers that stop the given services gracefully, then exit. The whole
 * shutdown is bounded by `timeoutMs` (default OMNI_SHUTDOWN_TIMEOUT_MS, else 25 s: under the
 * Kubernetes default terminationGracePeriodSeconds of 30, so the process exits on its own terms
 * and logs why rather than being SIGKILLed mid-write).
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: Logger,
  opts: { timeoutMs?: number } = {},
): void {
  const timeoutMs = opts.timeoutMs ?? shutdownTimeoutFromEnv(process.env);
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

function shutdownTimeoutFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.OMNI_SHUTDOWN_TIMEOUT_MS;
  if (!raw) return 25_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1)
    throw new Error(`OMNI_SHUTDOWN_TIMEOUT_MS must be a positive integer, got "${raw}"`);
  return ms;
}
