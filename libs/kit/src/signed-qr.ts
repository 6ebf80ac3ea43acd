import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed QR payloads that a counter verifies offline with a public key alone (pickup codes, vouchers):
 * `<prefix>.<base64url JSON claims>.<base64url Ed25519 signature of "<prefix>.<claims>">`.
 * The claims' meaning (and their expiry) is the caller's; this is the envelope and the signature.
 */

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key pair from a 32-byte seed: the same pair on every replica that derives the same seed. */
export function ed25519FromSeed(seed: Buffer): { privateKey: KeyObject; publicKey: KeyObject } {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function signQr(prefix: string, claims: object, privateKey: KeyObject): string {
  const signed = `${prefix}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
}

export type SignedQrCheck =
  { ok: true; claims: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'bad-signature' };

/** Checks the envelope and the signature, and parses the claims (an object, else malformed). */
export function verifySignedQr(qr: string, prefix: string, publicKey: KeyObject | string): SignedQrCheck {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const parts = qr.split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return { ok: false, reason: 'malformed' };
  const [, body, sig] = parts as [string, string, string];
  let valid: boolean;
  try {
    valid = verify(null, Buffer.from(`${prefix}.${body}`), key, Buffer.from(sig, 'base64url'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { ok: false, reason: 'malformed' };
  return { ok: true, claims: parsed as Record<string, unknown> };
}
