import { EmbeddedStore, isTransientError, StoreUnavailableError } from '@omni/store';
import { client, TestTokenIssuer } from '@omni/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError, type Service } from '../src';
import { startSampleService } from './sample-service';

let issuer: TestTokenIssuer;
let svc: Service;
beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  svc = await startSampleService(issuer);
});
afterAll(async () => svc?.stop());

describe('transient failures at the edge', () => {
  it('a store outage answers 503 problem+json with Retry-After (not 500), and changes nothing', async () => {
    const api = client(svc.url, await issuer.staff('S1', 'manager'));
    (svc.store as EmbeddedStore).faults.down(60_000);
    try {
      const res = await api.post('/v1/stores/S1/notes', { text: 'during outage', qty: 1 });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toMatchObject({ type: 'https://omni.dev/problems/unavailable', status: 503 });
    } finally {
      (svc.store as EmbeddedStore).faults.up();
    }
    expect(await svc.store.collection('notes').countDocuments({ text: 'during outage' })).toBe(0);
  });

  it('upstream 503/504 count as transient for consumers; other app errors do not', () => {
    expect(isTransientError(new UnavailableError('inventory down'))).toBe(true);
    expect(isTransientError(new StoreUnavailableError())).toBe(true);
  });
});
