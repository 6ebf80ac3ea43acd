import { describe, expect, it } from 'vitest';
import { PickupCodes } from '../src/domain/codes';
import { applyReroute, decideConfirmed, type OrderTrack } from '../src/domain/order-track';
import { decideThrottle, DEFAULT_STORE_CONFIG, mergeConfig } from '../src/domain/store';
import {
  canApply,
  checkConfirm,
  checkShort,
  isOverdue,
  TASK_STATES,
  toTaskLines,
  TRANSITIONS,
  type TaskAction,
} from '../src/domain/task';

const codes = new PickupCodes({ secret: 'unit-test-secret-0123456789abcdef' });

describe('pickup codes', () => {
  it('derives a 6-digit code from the nonce, re-derivable, and stores only its hash', () => {
    const issued = codes.issue('task-1');
    expect(issued.code).toMatch(/^[0-9]{6}$/);
    expect(codes.codeFor('task-1', issued.nonce)).toBe(issued.code);
    expect(issued.hash).not.toContain(issued.code);
    expect(codes.matches(issued.code, issued.hash)).toBe(true);
    expect(codes.matches(issued.code === '111111' ? '222222' : '111111', issued.hash)).toBe(false);
    expect(codes.matches('12345', issued.hash)).toBe(false);
    expect(codes.matches('abcdef', issued.hash)).toBe(false);
    // Another deployment secret derives other codes and hashes.
    const other = new PickupCodes({ secret: 'another-secret-0123456789abcdefgh' });
    expect(other.hash(issued.code)).not.toBe(issued.hash);
  });

  it('spreads codes evenly enough that they are not guessable from each other', () => {
    const seen = new Set<string>();
    const firstDigits = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const { code } = codes.issue(`t-${i}`);
      seen.add(code);
      firstDigits.set(code[0]!, (firstDigits.get(code[0]!) ?? 0) + 1);
    }
    expect(seen.size).toBeGreaterThan(4950); // ~12 collisions expected among 5000 draws of 10^6
    for (const n of firstDigits.values()) expect(n).toBeGreaterThan(380); // ~500 per leading digit
  });

  it('signs QR payloads with Ed25519 and rejects tampering, other keys and expiry', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const exp = Math.floor(now.getTime() / 1000) + 3600;
    const qr = codes.qrFor({ taskId: 't1', storeId: 's1', code: '123456', exp });
    expect(codes.verifyQr(qr, now)).toEqual({
      ok: true,
      claims: { taskId: 't1', storeId: 's1', code: '123456', exp },
    });
    const [p, body, sig] = qr.split('.') as [string, string, string];
    const tampered = `${p}.${Buffer.from(JSON.stringify({ t: 't1', s: 's1', c: '654321', e: exp })).toString('base64url')}.${sig}`;
    expect(codes.verifyQr(tampered, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(codes.verifyQr(`${p}.${body}`, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(codes.verifyQr('garbage', now)).toEqual({ ok: false, reason: 'malformed' });
    const foreign = new PickupCodes({ secret: 'another-secret-0123456789abcdefgh' }).qrFor({
      taskId: 't1',
      storeId: 's1',
      code: '123456',
      exp,
    });
    expect(codes.verifyQr(foreign, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(codes.verifyQr(qr, new Date(now.getTime() + 2 * 3600_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('lets an offline counter verify a QR with the public key PEM alone', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const qr = codes.qrFor({ taskId: 't1', storeId: 's1', code: '482910', exp: now.getTime() / 1000 + 60 });
    const pem = codes.qrPublicKeyPem();
    expect(PickupCodes.verifyQrWith(qr, pem, now)).toMatchObject({ ok: true, claims: { code: '482910' } });
    const [prefix, body] = qr.split('.');
    const forged = `${prefix}.${body}.${Buffer.alloc(64).toString('base64url')}`;
    expect(PickupCodes.verifyQrWith(forged, pem, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('task state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed: Record<TaskAction, string[]> = {
      start: ['queued'],
      'confirm-line': ['picking'],
      ready: ['picking'],
      short: ['queued', 'picking'],
      collect: ['ready'],
      'collect-offline': ['queued', 'picking', 'ready'],
      expire: ['ready'],
      cancel: ['queued', 'picking', 'ready', 'short'],
      reroute: ['queued', 'picking', 'ready', 'short'],
      unlock: ['queued', 'picking', 'ready'],
    };
    for (const action of Object.keys(TRANSITIONS) as TaskAction[]) {
      for (const state of TASK_STATES)
        expect(canApply(action, state), `${action} from ${state}`).toBe(allowed[action].includes(state));
    }
    // Final states accept nothing.
    for (const state of ['collected', 'expired', 'cancelled', 'rerouted'] as const) {
      expect((Object.keys(TRANSITIONS) as TaskAction[]).some((a) => canApply(a, state))).toBe(false);
    }
  });

  it('merges duplicate SKUs into one line and bounds confirmations and shorts', () => {
    const lines = toTaskLines([
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
      { sku: 'A', qty: 2 },
    ]);
    expect(lines).toEqual([
      { sku: 'A', qty: 3, confirmedQty: 0, shortQty: 0 },
      { sku: 'B', qty: 2, confirmedQty: 0, shortQty: 0 },
    ]);
    expect(checkConfirm({ lines }, 'A', 3)).toMatchObject({ ok: true, value: { index: 0 } });
    expect(checkConfirm({ lines }, 'A', 4)).toMatchObject({ ok: false, slug: 'qty-exceeds-ordered' });
    expect(checkConfirm({ lines }, 'Z', 1)).toMatchObject({ ok: false, slug: 'sku-not-in-task' });
    expect(
      checkShort({ lines }, [
        { sku: 'B', qty: 1 },
        { sku: 'B', qty: 1 },
      ]),
    ).toEqual({ ok: true, value: [{ sku: 'B', qty: 2 }] });
    expect(checkShort({ lines }, [{ sku: 'B', qty: 3 }])).toMatchObject({
      ok: false,
      slug: 'short-qty-out-of-range',
    });
    expect(checkShort({ lines }, [])).toMatchObject({ ok: false, slug: 'no-short-lines' });
  });

  it('is overdue only while preparing past the promise', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    expect(isOverdue({ state: 'queued', promisedReadyAt: '2030-01-01T11:59:00Z' }, now)).toBe(true);
    expect(isOverdue({ state: 'picking', promisedReadyAt: '2030-01-01T12:00:00Z' }, now)).toBe(false);
    expect(isOverdue({ state: 'ready', promisedReadyAt: '2030-01-01T10:00:00Z' }, now)).toBe(false);
  });
});

describe('order routing memory (out-of-order events)', () => {
  const track = (over: Partial<OrderTrack> = {}): OrderTrack => ({
    _id: 'o1',
    maxAttempt: 0,
    voided: [],
    ...over,
  });

  it('creates once per attempt and ignores duplicates, stale attempts and tombstoned orders', () => {
    expect(decideConfirmed(null, { locationId: 'A', routeAttempt: 0 }, [])).toEqual({ kind: 'create' });
    expect(decideConfirmed(track(), { locationId: 'A', routeAttempt: 0 }, [0])).toEqual({
      kind: 'ignore',
      reason: 'duplicate',
    });
    expect(
      decideConfirmed(
        track({ cancelled: { at: 'x', reason: 'r' } }),
        { locationId: 'A', routeAttempt: 0 },
        [],
      ),
    ).toEqual({ kind: 'ignore', reason: 'order-cancelled' });
    expect(decideConfirmed(track({ maxAttempt: 2 }), { locationId: 'A', routeAttempt: 1 }, [])).toEqual({
      kind: 'ignore',
      reason: 'stale-attempt',
    });
    expect(decideConfirmed(track(), { locationId: 'A', routeAttempt: 1 }, [2])).toEqual({
      kind: 'ignore',
      reason: 'stale-attempt',
    });
  });

  it('voids the old location up to the re-route attempt under either numbering, and allows a later return', () => {
    // Re-route carries the NEW attempt (1): the late confirmed for A/0 is stale; B/1 goes ahead.
    const t1 = applyReroute(null, 'o1', 'A', 1);
    expect(decideConfirmed(t1, { locationId: 'A', routeAttempt: 0 }, [])).toMatchObject({ kind: 'ignore' });
    expect(decideConfirmed(t1, { locationId: 'B', routeAttempt: 1 }, [])).toEqual({ kind: 'create' });
    // Re-route carries the OLD attempt (0): A/0 is voided by location; B/1 goes ahead.
    const t0 = applyReroute(null, 'o1', 'A', 0);
    expect(decideConfirmed(t0, { locationId: 'A', routeAttempt: 0 }, [])).toEqual({
      kind: 'ignore',
      reason: 'location-voided',
    });
    expect(decideConfirmed(t0, { locationId: 'B', routeAttempt: 1 }, [])).toEqual({ kind: 'create' });
    // A → B → A: the second visit to A has a higher attempt.
    const back = applyReroute(applyReroute(null, 'o1', 'A', 1), 'o1', 'B', 2);
    expect(decideConfirmed(back, { locationId: 'A', routeAttempt: 2 }, [0, 1])).toEqual({ kind: 'create' });
    expect(back.voided).toEqual([
      { locationId: 'A', upTo: 1 },
      { locationId: 'B', upTo: 2 },
    ]);
  });
});

describe('store throttling', () => {
  const cfg = { ...DEFAULT_STORE_CONFIG, overdueThreshold: 4, resumeAtOrBelow: 1 };

  it('pauses at the threshold and resumes only at or below the low mark (hysteresis)', () => {
    expect(decideThrottle({}, 3, cfg)).toEqual({ kind: 'none' });
    expect(decideThrottle({}, 4, cfg)).toEqual({ kind: 'pause', overdue: 4 });
    const auto = { automatic: { reason: 'r', at: 'x', overdue: 4 } };
    expect(decideThrottle(auto, 9, cfg)).toEqual({ kind: 'none' });
    expect(decideThrottle(auto, 3, cfg)).toEqual({ kind: 'none' });
    expect(decideThrottle(auto, 2, cfg)).toEqual({ kind: 'none' });
    expect(decideThrottle(auto, 1, cfg)).toEqual({ kind: 'resume', overdue: 1 });
    // A manual pause is not the rule's to lift, but the rule still records its own.
    expect(decideThrottle({ manual: { by: 'm', reason: 'r', at: 'x' } }, 0, cfg)).toEqual({ kind: 'none' });
    expect(decideThrottle({ manual: { by: 'm', reason: 'r', at: 'x' } }, 5, cfg)).toEqual({
      kind: 'pause',
      overdue: 5,
    });
  });

  it('keeps config consistent', () => {
    expect(mergeConfig(DEFAULT_STORE_CONFIG, { overdueThreshold: 4 }).config.resumeAtOrBelow).toBe(2);
    expect(
      mergeConfig(DEFAULT_STORE_CONFIG, { overdueThreshold: 4, resumeAtOrBelow: 4 }).problems,
    ).toHaveLength(1);
    expect(mergeConfig(DEFAULT_STORE_CONFIG, { holdDays: 1, expiringSoonHours: 30 }).problems).toHaveLength(
      1,
    );
    expect(mergeConfig(DEFAULT_STORE_CONFIG, { prepMinutes: 45 })).toEqual({
      config: { ...DEFAULT_STORE_CONFIG, prepMinutes: 45 },
      problems: [],
    });
  });
});
