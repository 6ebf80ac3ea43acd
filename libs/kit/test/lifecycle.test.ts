import { describe, expect, it } from 'vitest';
import { TestTokenIssuer, client } from '@omni/testing';
import { startSampleService } from './sample-service';

describe('kit-built service: lifecycle and opt-outs', () => {
  it('never stores responses of routes that opt out of Idempotency-Key (secrets)', async () => {
    const svc = await startSampleService(await TestTokenIssuer.create());
    try {
      const headers = { 'idempotency-key': 'secret-1' };
      const a = await client(svc.url).post('/v1/secrets', {}, { headers });
      const b = await client(svc.url).post('/v1/secrets', {}, { headers });
      expect(a.body).toEqual({ secret: 's-1' });
      expect(b.body).toEqual({ secret: 's-2' });
      expect(b.headers.get('idempotent-replayed')).toBeNull();
      expect(await svc.store.collection('idempotency_keys').countDocuments({})).toBe(0);
    } finally {
      await svc.stop();
    }
  });

  it('bounds graceful shutdown: a request that never finishes is cut after the timeout', async () => {
    const svc = await startSampleService(await TestTokenIssuer.create(), undefined, {
      shutdownTimeoutMs: 300,
    });
    const hanging = fetch(`${svc.url}/v1/hang`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await svc.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await hanging).toBeInstanceOf(Error);
  });
});
