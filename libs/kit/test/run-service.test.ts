import { TestTokenIssuer } from '@omni/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createService, runService, serviceTokenFromEnv, type Service } from '../src';

/**
 * Every standalone main.ts boots through runService: config → adapters from the environment →
 * build → start → stop on signals, and any failure on the way ends in failStartup (exit 1).
 */
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('runService', () => {
  it('a config error ends in failStartup before any adapter is built', async () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args));
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const build = vi.fn();
    const bad = new Error('OMNI_JWKS_URL is required');
    await runService({
      name: 'sample',
      config: () => {
        throw bad;
      },
      build,
    });
    expect(build).not.toHaveBeenCalled();
    expect(lines).toEqual([['sample: cannot start:', bad]]);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('builds with the environment adapters, starts, runs afterStart and stops on SIGTERM', async () => {
    for (const name of ['MONGO_URL', 'OMNI_DATA_DIR', 'KAFKA_BROKERS']) vi.stubEnv(name, '');
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const issuer = await TestTokenIssuer.create();
    const before = new Set(process.listeners('SIGINT'));
    const seen: string[] = [];
    let built: Service | undefined;
    const svc = await runService({
      name: 'sample',
      config: () => ({ greeting: 'hi' }),
      build: (env, adapters) => {
        seen.push(`build ${env.greeting} ${adapters.store.kind}`);
        built = createService({
          name: 'sample',
          ...adapters,
          auth: issuer.authOptions,
          logLevel: 'silent',
          grpc: false,
        });
        return built;
      },
      afterStart: async (s) => void seen.push(`after ${(await fetch(`${s.url}/livez`)).status}`),
    });
    expect(svc).toBe(built);
    expect(seen).toEqual(['build hi embedded', 'after 200']);
    process.emit('SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.removeListener('SIGINT', l);
  });
});

describe('serviceTokenFromEnv', () => {
  it('uses the fixed token without client credentials, and refuses to start with neither', async () => {
    const fixed = serviceTokenFromEnv('orders', { variable: 'ORDERS_SERVICE_TOKEN', value: 'tok-1' }, {});
    expect(await fixed()).toBe('tok-1');
    expect(() =>
      serviceTokenFromEnv('orders', { variable: 'ORDERS_SERVICE_TOKEN', value: undefined }, {}),
    ).toThrow('set OMNI_IDENTITY_URL + OMNI_CLIENT_SECRET (client credentials) or ORDERS_SERVICE_TOKEN');
    // Client credentials win over a fixed token when both are set (deployments): the source calls
    // identity, so against an address nothing listens on it fails instead of answering 'tok-1'.
    const viaIdentity = serviceTokenFromEnv(
      'orders',
      { variable: 'ORDERS_SERVICE_TOKEN', value: 'tok-1' },
      { OMNI_IDENTITY_URL: 'http://127.0.0.1:9', OMNI_CLIENT_SECRET: 'secret-of-at-least-24-chars' },
    );
    await expect(viaIdentity()).rejects.toThrow();
  });
});
