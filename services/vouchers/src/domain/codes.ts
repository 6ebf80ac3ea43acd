import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ed25519FromSeed, signQr, verifySignedQr } from '@omni/kit';

/**
 * Voucher codes: what the customer shows at the counter (typed, or scanned as a signed QR).
 *
 * - 12 symbols of Crockford's base-32 alphabet (no I, L, O, U): 60 bits, printed `XXXX-XXXX-XXXX`.
 *   Input is normalised (case, dashes, spaces, O→0, I/L→1) so a misread symbol is not a new guess.
 * - The code is derived, not stored: `HMAC(codeKey, voucherId|nonce)`; the store keeps the nonce and a
 *   peppered hash (`HMAC(hashKey, code)`, unique index, the lookup key), so a database copy alone
 *   reveals no code, and the customer can be shown their code again.
 * - The QR is `OVC1.<claims>.<Ed25519 signature>`: voucher id, code, expiry. A counter verifies it
 *   offline with the public key (`VoucherCodes.verifyQrWith`); the server verifies it again.
 * All keys derive from one deployment secret (HKDF, one label per purpose).
 */

export const QR_PREFIX = 'OVC1';
export const CODE_LENGTH = 12;
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface IssuedCode {
  nonce: string;
  /** Show it to the customer; never persist or log it. */
  code: string;
  hash: string;
}

export interface QrClaims {
  voucherId: string;
  code: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type QrCheck =
  { ok: true; claims: QrClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export class VoucherCodes {
  private readonly codeKey: Buffer;
  private readonly hashKey: Buffer;
  private readonly qrPrivate: KeyObject;
  readonly qrPublic: KeyObject;

  constructor(secret: string | Buffer) {
    const s = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (s.length < 16) throw new Error('voucher code secret must be at least 16 bytes');
    const derive = (label: string): Buffer => Buffer.from(hkdfSync('sha256', s, 'omni-vouchers', label, 32));
    this.codeKey = derive('code');
    this.hashKey = derive('hash');
    const qr = ed25519FromSeed(derive('qr-ed25519'));
    this.qrPrivate = qr.privateKey;
    this.qrPublic = qr.publicKey;
  }

  issue(voucherId: string): IssuedCode {
    const nonce = randomBytes(16).toString('base64url');
    const code = this.codeFor(voucherId, nonce);
    return { nonce, code, hash: this.hash(code) };
  }

  codeFor(voucherId: string, nonce: string): string {
    const mac = createHmac('sha256', this.codeKey).update(`${voucherId}|${nonce}`).digest();
    let out = '';
    // 12 symbols × 5 bits = 60 bits from the first 8 bytes.
    let bits = mac.readBigUInt64BE(0);
    for (let i = 0; i < CODE_LENGTH; i++) {
      out += CODE_ALPHABET[Number(bits & 31n)];
      bits >>= 5n;
    }
    return out;
  }

  /** Peppered hash of a normalised code (the lookup key). */
  hash(code: string): string {
    return createHmac('sha256', this.hashKey).update(code).digest('base64url');
  }

  qrFor(claims: QrClaims): string {
    return signQr(QR_PREFIX, { v: claims.voucherId, c: claims.code, e: claims.exp }, this.qrPrivate);
  }

  verifyQr(qr: string, at: Date): QrCheck {
    return VoucherCodes.verifyQrWith(qr, this.qrPublic, at);
  }

  /** What an offline counter does with a scanned QR: the public key (SPKI PEM) is all it needs. */
  static verifyQrWith(qr: string, publicKey: KeyObject | string, at: Date): QrCheck {
    const checked = verifySignedQr(qr, QR_PREFIX, publicKey);
    if (!checked.ok) return checked;
    const c = checked.claims as { v?: unknown; c?: unknown; e?: unknown };
    if (typeof c.v !== 'string' || typeof c.c !== 'string' || typeof c.e !== 'number')
      return { ok: false, reason: 'malformed' };
    if (c.e * 1000 < at.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { voucherId: c.v, code: c.c, exp: c.e } };
  }

  qrPublicKeyPem(): string {
    return this.qrPublic.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Constant-time comparison of two hashes. */
  static sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

/** Typed code → canonical form, or undefined when it cannot be a code (no lookup, still a failed try). */
export function normaliseCode(typed: string): string | undefined {
  const s = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH) return undefined;
  for (const ch of s) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return s;
}

/** `XXXX-XXXX-XXXX`, how the customer sees it. */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}
