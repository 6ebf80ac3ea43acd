import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ed25519FromSeed, signQr, verifySignedQr } from '@omni/kit';

/**
 * Pickup codes: what the customer shows at the counter.
 *
 * - The numeric code is derived, not stored: `code = HMAC(codeKey, taskId|nonce) mod 10^digits`, with a
 *   random 128-bit nonce per issue. The store keeps only the nonce and a peppered hash of the code, so a
 *   copy of the database alone reveals no code (and cannot brute-force the hash without the secret);
 *   the service can still show the customer their code again (GET /v1/orders/{id}/pickup).
 * - The hash (`HMAC(hashKey, code)`) doubles as the per-store uniqueness key for open codes.
 * - The QR payload is the task id, store id, code and an expiry, signed with Ed25519. The counter app
 *   verifies it offline with the public key alone (`PickupCodes.verifyQrWith`); the server verifies it
 *   on scan and again when the offline counter syncs.
 * - Counters get nothing derived from the numeric code: any verifier of a 6-digit code that a till
 *   can check in well under a second is exhausted in CPU-hours (see the README). A code typed at an
 *   offline counter cannot be checked there; the server checks it when the counter syncs.
 *
 * All keys derive from one deployment secret (HKDF with a label per purpose).
 */

export const QR_PREFIX = 'OPK1';

export interface IssuedCode {
  nonce: string;
  /** The plain code: show it to the customer, never persist or log it. */
  code: string;
  hash: string;
}

/** Legacy: the PBKDF2 verifier tasks created before 2026-12 still carry. Never served any more. */
export interface OfflineVerifier {
  alg: 'pbkdf2-sha256';
  iterations: number;
  salt: string;
  hash: string;
}

export interface QrClaims {
  taskId: string;
  storeId: string;
  code: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type QrCheck =
  { ok: true; claims: QrClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export interface PickupCodesOptions {
  /** Deployment secret (≥ 32 bytes of entropy). Codes of existing tasks change if it changes. */
  secret: string | Buffer;
  /** Digits of the numeric code. Default 6. */
  digits?: number;
}

export class PickupCodes {
  readonly digits: number;
  private readonly codeKey: Buffer;
  private readonly hashKey: Buffer;
  private readonly qrPrivate: KeyObject;
  readonly qrPublic: KeyObject;

  constructor(opts: PickupCodesOptions) {
    const secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret, 'utf8') : opts.secret;
    if (secret.length < 16) throw new Error('pickup code secret must be at least 16 bytes');
    this.digits = opts.digits ?? 6;
    if (this.digits < 4 || this.digits > 10) throw new Error('pickup code digits must be 4..10');
    const derive = (label: string): Buffer =>
      Buffer.from(hkdfSync('sha256', secret, 'omni-pickup', label, 32));
    this.codeKey = derive('code');
    this.hashKey = derive('hash');
    const qr = ed25519FromSeed(derive('qr-ed25519'));
    this.qrPrivate = qr.privateKey;
    this.qrPublic = qr.publicKey;
  }

  /** A fresh code for a task: new random nonce each call (retry on a per-store collision). */
  issue(taskId: string): IssuedCode {
    const nonce = randomBytes(16).toString('base64url');
    const code = this.codeFor(taskId, nonce);
    return { nonce, code, hash: this.hash(code) };
  }

  /** Re-derives the code of a task from its stored nonce. */
  codeFor(taskId: string, nonce: string): string {
    const mac = createHmac('sha256', this.codeKey).update(`${taskId}|${nonce}`).digest();
    // 48 bits mod 10^digits: the bias is below 10^-4 for 6 digits.
    const n = mac.readUIntBE(0, 6) % 10 ** this.digits;
    return String(n).padStart(this.digits, '0');
  }

  hash(code: string): string {
    return createHmac('sha256', this.hashKey).update(code).digest('base64url');
  }

  /** Constant-time check of a typed code against the stored hash. */
  matches(code: string, storedHash: string): boolean {
    if (!/^[0-9]+$/.test(code) || code.length !== this.digits) return false;
    return safeEqual(this.hash(code), storedHash);
  }

  /** `OPK1.<claims>.<signature>`, both base64url; claims `{t, s, c, e}`. */
  qrFor(claims: QrClaims): string {
    return signQr(
      QR_PREFIX,
      { t: claims.taskId, s: claims.storeId, c: claims.code, e: claims.exp },
      this.qrPrivate,
    );
  }

  verifyQr(qr: string, now: Date): QrCheck {
    return PickupCodes.verifyQrWith(qr, this.qrPublic, now);
  }

  /**
   * What an offline counter does with a scanned QR: the store's public key (SPKI PEM, from
   * `GET /v1/stores/{id}/pickup`) is all it needs. Exported for counter apps and tests.
   */
  static verifyQrWith(qr: string, publicKey: KeyObject | string, now: Date): QrCheck {
    const checked = verifySignedQr(qr, QR_PREFIX, publicKey);
    if (!checked.ok) return checked;
    const c = checked.claims as { t?: unknown; s?: unknown; c?: unknown; e?: unknown };
    if (
      typeof c.t !== 'string' ||
      typeof c.s !== 'string' ||
      typeof c.c !== 'string' ||
      typeof c.e !== 'number'
    ) {
      return { ok: false, reason: 'malformed' };
    }
    if (c.e * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { taskId: c.t, storeId: c.s, code: c.c, exp: c.e } };
  }

  /** The QR verification key for counter apps (SPKI PEM). */
  qrPublicKeyPem(): string {
    return this.qrPublic.export({ type: 'spki', format: 'pem' }).toString();
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
