import { promisify } from 'node:util';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  pbkdf2,
  pbkdf2Sync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * Pickup codes: what the customer shows at the counter.
 *
 * - The numeric code is derived, not stored: `code = HMAC(codeKey, taskId|nonce) mod 10^digits`, with a
 *   random 128-bit nonce per issue. The store keeps only the nonce and a peppered hash of the code, so a
 *   copy of the database alone reveals no code (and cannot brute-force the hash without the secret);
 *   the service can still show the customer their code again (GET /v1/orders/{id}/pickup).
 * - The hash (`HMAC(hashKey, code)`) doubles as the per-store uniqueness key for open codes.
 * - The QR payload is the task id, store id, code and an expiry, signed with Ed25519. The counter app
 *   can verify it offline with the public key; the server verifies it on scan.
 * - Offline counters also get a slow, salted verifier (PBKDF2) of the numeric code so they can check a
 *   typed code without the network; the server re-checks every offline collection against the hash.
 *
 * All keys derive from one deployment secret (HKDF with a label per purpose).
 */

export const QR_PREFIX = 'OPK1';

const pbkdf2Async = promisify(pbkdf2);

export interface IssuedCode {
  nonce: string;
  /** The plain code: show it to the customer, never persist or log it. */
  code: string;
  hash: string;
}

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
  /** PBKDF2 iterations of the offline verifier. Default 20 000. */
  offlineIterations?: number;
}

export class PickupCodes {
  readonly digits: number;
  private readonly codeKey: Buffer;
  private readonly hashKey: Buffer;
  private readonly qrPrivate: KeyObject;
  readonly qrPublic: KeyObject;
  private readonly offlineIterations: number;

  constructor(opts: PickupCodesOptions) {
    const secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret, 'utf8') : opts.secret;
    if (secret.length < 16) throw new Error('pickup code secret must be at least 16 bytes');
    this.digits = opts.digits ?? 6;
    if (this.digits < 4 || this.digits > 10) throw new Error('pickup code digits must be 4..10');
    this.offlineIterations = opts.offlineIterations ?? 20_000;
    const derive = (label: string): Buffer =>
      Buffer.from(hkdfSync('sha256', secret, 'omni-pickup', label, 32));
    this.codeKey = derive('code');
    this.hashKey = derive('hash');
    // Ed25519 private key from a 32-byte seed: PKCS#8 DER prefix + seed.
    const seed = derive('qr-ed25519');
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    this.qrPrivate = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    this.qrPublic = createPublicKey(this.qrPrivate);
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

  /** Async (libuv pool): the slow hash must not block the event loop other requests share. */
  async offlineVerifier(code: string): Promise<OfflineVerifier> {
    const salt = randomBytes(16);
    const hash = await pbkdf2Async(code, salt, this.offlineIterations, 32, 'sha256');
    return {
      alg: 'pbkdf2-sha256',
      iterations: this.offlineIterations,
      salt: salt.toString('base64url'),
      hash: hash.toString('base64url'),
    };
  }

  /** What the counter app does offline (exported for its tests and ours). */
  static checkOffline(code: string, v: OfflineVerifier): boolean {
    const hash = pbkdf2Sync(code, Buffer.from(v.salt, 'base64url'), v.iterations, 32, 'sha256');
    return safeEqual(hash.toString('base64url'), v.hash);
  }

  /** `OPK1.<claims>.<signature>`, both base64url; claims `{t, s, c, e}`. */
  qrFor(claims: QrClaims): string {
    const body = Buffer.from(
      JSON.stringify({ t: claims.taskId, s: claims.storeId, c: claims.code, e: claims.exp }),
    ).toString('base64url');
    const signed = `${QR_PREFIX}.${body}`;
    const sig = sign(null, Buffer.from(signed), this.qrPrivate).toString('base64url');
    return `${signed}.${sig}`;
  }

  verifyQr(qr: string, now: Date): QrCheck {
    const parts = qr.split('.');
    if (parts.length !== 3 || parts[0] !== QR_PREFIX) return { ok: false, reason: 'malformed' };
    const [prefix, body, sig] = parts as [string, string, string];
    let valid: boolean;
    try {
      valid = verify(null, Buffer.from(`${prefix}.${body}`), this.qrPublic, Buffer.from(sig, 'base64url'));
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
    const c = parsed as { t?: unknown; s?: unknown; c?: unknown; e?: unknown };
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

/** A task id with its code and offline verifier, computed before a task needs it. */
export interface PreparedCode {
  taskId: string;
  issued: IssuedCode;
  offline: OfflineVerifier;
}

/**
 * Codes prepared in the background: the offline verifier is a deliberately slow hash (~5 ms of
 * PBKDF2), and computed inside the task-creating transaction it held the store's writer lock for
 * that long, capping a pickup service at ~200 new tasks/s. The pool keeps `size` ready, refilled
 * `parallel` at a time on libuv's threads; when it runs dry the caller computes inline as before.
 * The codes are derivable from the secret anyway, so keeping a few in memory adds no exposure.
 */
export class PreparedCodePool {
  private readonly ready: PreparedCode[] = [];
  private filling = 0;
  private stopped = true;

  constructor(
    private readonly codes: PickupCodes,
    private readonly newTaskId: () => string,
    private readonly size = 64,
    private readonly parallel = 2,
  ) {}

  start(): void {
    this.stopped = false;
    this.fill();
  }

  stop(): void {
    this.stopped = true;
    this.ready.length = 0;
  }

  get available(): number {
    return this.ready.length;
  }

  /** A prepared code, or undefined when none is ready (the caller computes one itself). */
  take(): PreparedCode | undefined {
    const prepared = this.ready.shift();
    this.fill();
    return prepared;
  }

  private fill(): void {
    while (!this.stopped && this.filling < this.parallel && this.ready.length + this.filling < this.size) {
      this.filling++;
      const taskId = this.newTaskId();
      const issued = this.codes.issue(taskId);
      this.codes
        .offlineVerifier(issued.code)
        .then((offline) => {
          if (!this.stopped) this.ready.push({ taskId, issued, offline });
        })
        .catch(() => undefined)
        .finally(() => {
          this.filling--;
          this.fill();
        });
    }
  }
}
