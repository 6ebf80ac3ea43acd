import { randomUUID } from 'node:crypto';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Collection } from '@omni/store';
import type { SecretBox } from '../domain/secret-box';
import type { SigningKeyDoc } from '../store/collections';

type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

export interface KeyRingOptions {
  clock: () => Date;
  box: SecretBox;
  /** Default access-token lifetime: a superseded key stays published this long (plus skew). */
  accessTtlSeconds: number;
  /** Allowance for clock differences between services. */
  skewSeconds?: number;
}

export interface SigningKeyInfo {
  kid: string;
  alg: 'ES256';
  state: 'pending' | 'active' | 'retiring';
  createdAt: string;
  activatesAt: string;
  activeUntil?: string;
  publishUntil?: string;
}

/**
 * The ES256 signing keys. The newest key whose activation time has passed signs; every key stays in
 * the JWKS until the tokens it signed have expired. Rotation without downtime: a new key is
 * published first (optionally some seconds before it starts signing, so caches of remote verifiers
 * already hold it), the previous key keeps verifying until its last tokens expire. Several identity
 * instances agree on the signing key by time, reloading the key set every few seconds.
 */
export class KeyRing {
  private keys: SigningKeyDoc[] = [];
  private readonly privateKeys = new Map<string, PrivateKey>();
  private cachedJwks?: { value: JSONWebKeySet; validUntil: number };
  private readonly skewMs: number;

  constructor(
    private readonly col: Collection<SigningKeyDoc>,
    private readonly opts: KeyRingOptions,
  ) {
    this.skewMs = (opts.skewSeconds ?? 60) * 1000;
  }

  /** Reads the key set from the store (on start, on a timer, after a rotation). */
  async load(): Promise<void> {
    const docs = await this.col.find({});
    docs.sort((a, b) => a.activatesAt - b.activatesAt || a.createdAt.localeCompare(b.createdAt));
    for (const d of docs) {
      if (this.privateKeys.has(d._id)) continue;
      const jwk = JSON.parse(this.opts.box.open(d.privateJwk)) as JWK;
      this.privateKeys.set(d._id, await importJWK(jwk, 'ES256'));
    }
    for (const kid of this.privateKeys.keys())
      if (!docs.some((d) => d._id === kid)) this.privateKeys.delete(kid);
    this.keys = docs;
    this.cachedJwks = undefined;
  }

  /** Makes sure a key is signing now (first start: creates one). */
  async ensureSigningKey(): Promise<void> {
    await this.load();
    if (!this.signingKey()) {
      await this.col.insertOne(await this.newKey(this.opts.clock().getTime()));
      await this.load();
    }
  }

  private async newKey(activatesAt: number): Promise<SigningKeyDoc> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    return {
      _id: kid,
      alg: 'ES256',
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
      privateJwk: this.opts.box.seal(JSON.stringify(await exportJWK(privateKey))),
      createdAt: this.opts.clock().toISOString(),
      activatesAt,
    };
  }

  /**
   * Adds a new key that signs from `activateInSeconds` on; every older key stops signing then and
   * stays published until the tokens it signed have expired.
   */
  async rotate(activateInSeconds = 0): Promise<SigningKeyInfo> {
    const now = this.opts.clock().getTime();
    const activatesAt = now + activateInSeconds * 1000;
    const doc = await this.newKey(activatesAt);
    await this.col.insertOne(doc);
    for (const old of await this.col.find({ _id: { $ne: doc._id }, activeUntil: { $exists: false } })) {
      const publishUntil = Math.max(
        activatesAt + this.opts.accessTtlSeconds * 1000 + this.skewMs,
        old.signedUntil ?? 0,
      );
      await this.col.updateOne(
        { _id: old._id, activeUntil: { $exists: false } },
        { $set: { activeUntil: activatesAt, publishUntil } },
      );
    }
    await this.load();
    return this.info(this.keys.find((k) => k._id === doc._id) ?? doc);
  }

  /** The key that signs now. */
  signingKey(): SigningKeyDoc | undefined {
    const now = this.opts.clock().getTime();
    let current: SigningKeyDoc | undefined;
    for (const k of this.keys) if (k.activatesAt <= now) current = k;
    return current;
  }

  async sign(payload: JWTPayload, header: { kid?: string } = {}): Promise<{ token: string; kid: string }> {
    const key = header.kid ? this.keys.find((k) => k._id === header.kid) : this.signingKey();
    const privateKey = key && this.privateKeys.get(key._id);
    if (!key || !privateKey) throw new Error('no signing key is active');
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: key._id, typ: 'JWT' })
      .sign(privateKey);
    return { token, kid: key._id };
  }

  /**
   * A token living longer than the default TTL (demo tokens): its key must stay published until it
   * expires, even after a rotation.
   */
  async noteLongLivedToken(kid: string, expiresAtMs: number): Promise<void> {
    const key = this.keys.find((k) => k._id === kid);
    await this.col.updateOne(
      { _id: kid },
      {
        $max: {
          signedUntil: expiresAtMs,
          ...(key?.publishUntil !== undefined ? { publishUntil: expiresAtMs } : {}),
        },
      },
    );
    if (key) {
      key.signedUntil = Math.max(key.signedUntil ?? 0, expiresAtMs);
      if (key.publishUntil !== undefined) key.publishUntil = Math.max(key.publishUntil, expiresAtMs);
      this.cachedJwks = undefined;
    }
  }

  /**
   * Public keys to verify with: every key not past its publication end. The same object is returned
   * while nothing changed (verifiers rebuild their key resolver only when it changes).
   */
  jwks(): JSONWebKeySet {
    const now = this.opts.clock().getTime();
    if (this.cachedJwks && now < this.cachedJwks.validUntil) return this.cachedJwks.value;
    const published = this.keys.filter((k) => k.publishUntil === undefined || k.publishUntil > now);
    const validUntil = Math.min(...published.map((k) => k.publishUntil ?? Number.POSITIVE_INFINITY));
    const value: JSONWebKeySet = { keys: published.map((k) => k.publicJwk as JWK) };
    this.cachedJwks = { value, validUntil };
    return value;
  }

  list(): SigningKeyInfo[] {
    return this.keys.map((k) => this.info(k));
  }

  private info(k: SigningKeyDoc): SigningKeyInfo {
    const now = this.opts.clock().getTime();
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      kid: k._id,
      alg: k.alg,
      state:
        k.activatesAt > now
          ? 'pending'
          : k.activeUntil !== undefined && k.activeUntil <= now
            ? 'retiring'
            : 'active',
      createdAt: k.createdAt,
      activatesAt: new Date(k.activatesAt).toISOString(),
      ...(k.activeUntil !== undefined ? { activeUntil: iso(k.activeUntil) } : {}),
      ...(k.publishUntil !== undefined ? { publishUntil: iso(k.publishUntil) } : {}),
    };
  }

  /** Deletes keys whose tokens have all expired (their private half is no longer needed). */
  async prune(): Promise<number> {
    const n = await this.col.deleteMany({ publishUntil: { $lt: this.opts.clock().getTime() } });
    if (n > 0) await this.load();
    return n;
  }
}
