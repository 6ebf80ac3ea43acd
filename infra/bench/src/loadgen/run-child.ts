import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  ChildMessage,
  HotSkuJob,
  HotSkuLoadResult,
  LoadJob,
  OrderRateJob,
  OrderRateResult,
  PosSyncJob,
  PosSyncLoadResult,
  QuoteRateJob,
  QuoteRateResult,
} from './protocol';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
// The child runs TypeScript through tsx's loader, resolved from here so any working directory works.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type ResultOf<J extends LoadJob> = J extends HotSkuJob
  ? HotSkuLoadResult
  : J extends OrderRateJob
    ? OrderRateResult
    : J extends PosSyncJob
      ? PosSyncLoadResult
      : J extends QuoteRateJob
        ? QuoteRateResult
        : never;

/**
 * Runs a load job in a separate Node process and resolves with its result. Our own execArgv is not
 * inherited (a `--cpu-prof` of the bench profiles the services, not the load generator).
 */
export function runInChild<J extends LoadJob>(
  job: J,
  onProgress?: (done: number) => void,
): Promise<ResultOf<J>> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      execArgv: ['--import', TSX_LOADER, '--max-old-space-size=2048'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') onProgress?.(message.done);
      else if (message.type === 'result') {
        finish(() => resolve(message.result as ResultOf<J>));
        // It exits by itself once its sockets close; a lingering handle must not keep it around.
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill();
        }, 5000).unref();
      } else finish(() => reject(new Error(`load generator failed: ${message.message}`)));
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, signal) =>
      finish(() => reject(new Error(`load generator exited (${code ?? signal}) without a result`))),
    );
    child.send(job);
  });
}
