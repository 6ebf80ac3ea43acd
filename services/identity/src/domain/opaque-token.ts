import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random opaque secrets (refresh tokens, client secrets): 256 bits, URL-safe, with a readable prefix. */
export function newOpaqueToken(prefix: 'rt' | 'cs'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Opaque tokens are stored only as their SHA-256 (they are high-entropy, so no slow hash is needed). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function sha256Equals(value: string, expectedSha256: string): boolean {
  const a = Buffer.from(sha256(value));
  const b = Buffer.from(expectedSha256);
  return a.length === b.length && timingSafeEqual(a, b);
}
