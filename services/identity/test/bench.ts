/**
 * Latency of the token endpoint with production hashing (scrypt logN 15) and of revocation
 * reaching another service. Run: npx tsx services/identity/test/bench.ts (not part of the suite).
 */
import { createEmbeddedBus } from '@omni/events';
import { waitFor } from '@omni/testing';
import { DEFAULT_SCRYPT } from '../src';
import { PASSWORD, startIdentity, startProbeService } from './harness';

const bus = createEmbeddedBus({ retryDelayMs: 50 });
const h = await startIdentity({ bus, settings: { scrypt: DEFAULT_SCRYPT } });
const probe = await startProbeService({ identity: h.svc, bus, via: 'jwks-url' });
await h.create({ kind: 'rider', username: 'bench.rider', password: PASSWORD, riderId: 'R-bench' });
const { clientSecret } = await h.create({
  kind: 'service',
  username: 'bench.client',
  scopes: ['inventory:read'],
});

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
async function measure(name: string, n: number, run: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  console.log(
    `${name.padEnd(34)} n=${n} p50 ${pct(times, 0.5).toFixed(1)} ms  p95 ${pct(times, 0.95).toFixed(1)} ms`,
  );
}

let refresh = (await h.signIn('bench.rider')).refresh;
await measure('sign-in (password, scrypt 2^15)', 30, () => h.signIn('bench.rider'));
await measure('refresh (rotate)', 100, async () => {
  const r = await h.token({ grant_type: 'refresh_token', refresh_token: refresh });
  refresh = r.body.refresh_token as string;
});
await measure('client_credentials', 100, () =>
  h.token({ grant_type: 'client_credentials', client_id: 'bench.client', client_secret: clientSecret }),
);
const wrong = await startIdentity({ bus, settings: { scrypt: DEFAULT_SCRYPT } });
await measure('wrong password (unknown user)', 20, () =>
  wrong.token({ grant_type: 'password', username: `nobody${Math.random()}`, password: 'wrong-password-123' }),
);
const token = (await h.signIn('bench.rider')).access;
await measure('verify at another service (cached)', 200, () => probe.api(token).get('/v1/whoami'));

const propagation: number[] = [];
for (let i = 0; i < 20; i++) {
  const s = await h.signIn('bench.rider');
  await probe.api(s.access).get('/v1/whoami');
  const t = performance.now();
  await h.api(s.access).post('/v1/auth/logout');
  await waitFor(async () => (await probe.api(s.access).get('/v1/whoami')).status === 401, { intervalMs: 2 });
  propagation.push(performance.now() - t);
}
console.log(
  `logout → refused by other service      n=20 p50 ${pct(propagation, 0.5).toFixed(1)} ms  p95 ${pct(propagation, 0.95).toFixed(1)} ms`,
);
await probe.stop();
await wrong.stop();
await h.stop();
await bus.close();
