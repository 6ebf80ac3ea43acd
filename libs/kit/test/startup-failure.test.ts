import { createServer } from 'node:net';
import { createBus, busConfigFromEnv } from '@omni/events';
import { createStore, StartupError, storeConfigFromEnv } from '@omni/store';
import { TestTokenIssuer } from '@omni/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService, failStartup, stopOnSignals } from '../src';

/**
 * A service started against an unreachable MONGO_URL or KAFKA_BROKERS must give up within seconds
 * with one line naming the variable and the address tried (was: 17–36 s and a raw stack trace naming
 * neither). Built exactly as main.ts builds it (config from the environment), in process: spawning
 * main.ts under tsx costs more than the whole check on a loaded machine.
 */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startFailure(env: Record<string, string>): Promise<unknown> {
  const issuer = await TestTokenIssuer.create();
  const svc = createService({
    name: 'catalog',
    store: createStore(storeConfigFromEnv(env, 'catalog')),
    bus: createBus(busConfigFromEnv(env, { clientId: 'catalog' })),
    auth: issuer.authOptions,
    logLevel: 'silent',
    grpc: false,
  });
  try {
    await svc.start();
  } catch (err) {
    await svc.store.close().catch(() => undefined);
    await svc.bus.close().catch(() => undefined);
    return err;
  }
  await svc.stop();
  throw new Error('started against an unreachable datastore');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('startup against unreachable datastores', () => {
  it('MONGO_URL on a closed port: a StartupError naming MONGO_URL and the address, credentials hidden', async () => {
    const port = await closedPort();
    const err = await startFailure({
      MONGO_URL: `mongodb://user:pw@127.0.0.1:${port}/?replicaSet=rs0`,
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000',
    });
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^MONGO_URL: cannot reach MongoDB at mongodb://\\*\\*\\*@127\\.0\\.0\\.1:${port}/\\?replicaSet=rs0 within 1000 ms`,
      ),
    );
    expect((err as Error).message).not.toContain('pw@');
  }, 20_000);

  it('KAFKA_BROKERS on a closed port: a StartupError naming KAFKA_BROKERS and the brokers', async () => {
    const port = await closedPort();
    const err = await startFailure({ KAFKA_BROKERS: `127.0.0.1:${port}` });
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(
      new RegExp(`^KAFKA_BROKERS: cannot reach Kafka at 127\\.0\\.0\\.1:${port} \\(`),
    );
  }, 20_000);

  it('main.ts reports a StartupError as one line and exits 1; other errors keep their stack', () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args));
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    failStartup('catalog', new StartupError('KAFKA_BROKERS: cannot reach Kafka at k:9092 (refused)'));
    expect(lines).toEqual([['catalog: cannot start: KAFKA_BROKERS: cannot reach Kafka at k:9092 (refused)']]);
    expect(exit).toHaveBeenCalledWith(1);
    const bug = new Error('bug');
    failStartup('catalog', bug);
    expect(lines[1]).toEqual(['catalog: cannot start:', bug]);
  });

  it('bounds the whole shutdown: a stop that hangs ends in exit(1) with a log line after the timeout', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const errors: string[] = [];
    const log = { info: () => undefined, error: (_o: object, m: string) => void errors.push(m) };
    const before = new Set(process.listeners('SIGINT'));
    stopOnSignals(() => new Promise<void>(() => undefined), log as never, { timeoutMs: 50 });
    process.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(exit).toHaveBeenCalledWith(1);
    expect(errors).toEqual(['shutdown did not finish in time; exiting anyway']);
    // Only the SIGINT handler stopOnSignals added (SIGTERM's fired once and is gone).
    for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.removeListener('SIGINT', l);
  });
});
