import { describe, expect, it } from 'vitest';
import { RevocationList } from '@omni/kit';
import { penaltyAfter, DEFAULT_ACCOUNT_BACKOFF, DEFAULT_IP_BACKOFF } from '../src/domain/backoff';
import { normaliseLoginName } from '../src/domain/login-name';
import { DEFAULT_PASSWORD_POLICY, isCommonPassword, passwordProblems } from '../src/domain/password-policy';
import { hashPassword, needsRehash, verifyPassword } from '../src/domain/passwords';
import { SecretBox } from '../src/domain/secret-box';
import { matchTotpStep, newTotpSecret, totpCode, totpStep } from '../src/domain/totp';
import { applyRevocationMessage } from '../src';

const FAST = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a per-hash salt and the parameters stored', async () => {
    const a = await hashPassword('correct-horse-battery', FAST);
    const b = await hashPassword('correct-horse-battery', FAST);
    expect(a).toMatchObject({ alg: 'scrypt', logN: 10, r: 8, p: 1 });
    expect(a.salt).not.toBe(b.salt);
    expect(a.dk).not.toBe(b.dk);
    expect(await verifyPassword('correct-horse-battery', a)).toBe(true);
    expect(await verifyPassword('correct-horse-batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('flags hashes weaker than the current parameters for re-hashing', async () => {
    const weak = await hashPassword('x', FAST);
    expect(needsRehash(weak, { logN: 15, r: 8, p: 1 })).toBe(true);
    expect(needsRehash(weak, FAST)).toBe(false);
  });
});

describe('password policy', () => {
  const policy = DEFAULT_PASSWORD_POLICY;
  it('refuses short, common and username-equal passwords', () => {
    expect(passwordProblems('short', 'anna', policy)).toContain('must be at least 12 characters');
    expect(passwordProblems('password1234', 'anna', policy)).toContain('is a commonly used password');
    expect(passwordProblems('Welcome2024!!', 'anna', policy)).toContain('is a commonly used password');
    expect(passwordProblems('aaaaaaaaaaaaaa', 'anna', policy)).toContain('is a commonly used password');
    expect(passwordProblems('123456789012', 'anna', policy)).toContain('is a commonly used password');
    expect(passwordProblems('anna.schmidt@shop.example', 'anna.schmidt@shop.example', policy)).toContain(
      'must not equal the username',
    );
    expect(passwordProblems('anna.schmidt', 'anna.schmidt@shop.example', policy)).toContain(
      'must not equal the username',
    );
    expect(passwordProblems('correct-horse-battery', 'anna', policy)).toEqual([]);
    expect(isCommonPassword('tr0ub4dor&3-staple')).toBe(false);
  });
});

describe('backoff', () => {
  it('is free at first, then doubles up to the cap, then locks accounts', () => {
    const p = DEFAULT_ACCOUNT_BACKOFF;
    expect(penaltyAfter(1, p)).toEqual({ kind: 'none' });
    expect(penaltyAfter(p.freeFailures - 1, p)).toEqual({ kind: 'none' });
    expect(penaltyAfter(p.freeFailures, p)).toEqual({ kind: 'backoff', ms: 1000 });
    expect(penaltyAfter(p.freeFailures + 1, p)).toEqual({ kind: 'backoff', ms: 2000 });
    expect(penaltyAfter(p.freeFailures + 3, p)).toEqual({ kind: 'backoff', ms: 8000 });
    expect(penaltyAfter(p.lockAfter ?? 0, p)).toEqual({ kind: 'locked', ms: p.lockMs });
    // IP addresses never lock, the wait is capped.
    expect(penaltyAfter(10_000, DEFAULT_IP_BACKOFF)).toEqual({
      kind: 'backoff',
      ms: DEFAULT_IP_BACKOFF.maxDelayMs,
    });
  });
});

describe('TOTP', () => {
  it('accepts the current code and one step of drift, and tells which step matched', () => {
    const secret = newTotpSecret();
    const now = new Date('2030-01-01T10:00:10Z');
    const step = totpStep(now);
    expect(matchTotpStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchTotpStep(secret, totpCode(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchTotpStep(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchTotpStep(secret, totpCode(secret, new Date(now.getTime() - 120_000)), now)).toBeNull();
    expect(matchTotpStep(secret, 'abcdef', now)).toBeNull();
    expect(matchTotpStep(newTotpSecret(), totpCode(secret, now), now)).toBeNull();
  });
});

describe('secret box', () => {
  it('encrypts with AES-GCM under the deployment secret and detects tampering', () => {
    const box = new SecretBox('0123456789abcdef0123456789abcdef');
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('garbage').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox('another-secret-0123456789abcdef').open(sealed)).toThrow();
    // Values stored without a secret stay readable after one is configured.
    expect(box.open(new SecretBox().seal('plain'))).toBe('plain');
  });
});

describe('login names', () => {
  it('compares case-insensitively and phone numbers without punctuation', () => {
    expect(normaliseLoginName('  Anna.Schmidt@Shop.Example ')).toBe('anna.schmidt@shop.example');
    expect(normaliseLoginName('+49 (30) 123-4567')).toBe('+49301234567');
  });
});

describe('revocation messages', () => {
  it('feeds a RevocationList from TokenRevoked/SubjectRevoked and skips anything else', () => {
    const list = new RevocationList();
    const envelope = (type: string, data: unknown) => JSON.stringify({ type, data });
    expect(
      applyRevocationMessage(
        list,
        envelope('omni.identity.revocation.token-revoked.v1', { sub: 's', jti: 'j1', expiresAt: 9e9 }),
      ),
    ).toBeUndefined();
    expect(list.isRevoked({ sub: 's', jti: 'j1', issuedAt: 1 })).toBe(true);
    expect(
      applyRevocationMessage(
        list,
        envelope('omni.identity.revocation.subject-revoked.v1', { sub: 'u', issuedBefore: 100, reason: 'x' }),
      ),
    ).toBeUndefined();
    expect(list.isRevoked({ sub: 'u', issuedAt: 99 })).toBe(true);
    expect(list.isRevoked({ sub: 'u', issuedAt: 100 })).toBe(false);
    expect(applyRevocationMessage(list, '{nope')).toBe('not JSON');
    expect(
      applyRevocationMessage(list, envelope('omni.identity.revocation.token-revoked.v1', { jti: 1 })),
    ).toMatch(/invalid/);
  });
});
