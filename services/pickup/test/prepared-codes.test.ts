import { describe, expect, it } from 'vitest';
import { waitFor } from '@omni/testing';
import { PickupCodes, PreparedCodePool } from '../src/domain/codes';

describe('prepared pickup codes', () => {
  const codes = new PickupCodes({ secret: 'a-test-secret-of-32-bytes-length!', offlineIterations: 1_000 });

  it('keeps a pool of codes whose offline verifier matches, refilled as codes are taken', async () => {
    let n = 0;
    const pool = new PreparedCodePool(codes, () => `task-${++n}`, 8, 2);
    pool.start();
    await waitFor(() => pool.available === 8, { what: 'a full pool' });
    const taken = Array.from({ length: 5 }, () => pool.take()!);
    expect(new Set(taken.map((t) => t.taskId)).size).toBe(5);
    for (const t of taken) {
      expect(t.issued.code).toBe(codes.codeFor(t.taskId, t.issued.nonce));
      expect(codes.matches(t.issued.code, t.issued.hash)).toBe(true);
      expect(PickupCodes.checkOffline(t.issued.code, t.offline)).toBe(true);
      expect(PickupCodes.checkOffline('000000' === t.issued.code ? '000001' : '000000', t.offline)).toBe(
        false,
      );
    }
    await waitFor(() => pool.available === 8, { what: 'the pool refilled' });
    pool.stop();
    expect(pool.take()).toBeUndefined();
  });
});
