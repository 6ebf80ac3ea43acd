import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Role, StoreRole } from '@omni/kit';

export interface TokenClaims {
  sub?: string;
  role: Role;
  stores?: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  /** Service clients: space-separated permissions. */
  scope?: string;
  amr?: string[];
  /**
   * Seconds until expiry (negative for an already expired token). Default 900. `null` mints a token
   * without `exp`, which every service must refuse (tests of that rule only).
   */
  expiresIn?: number | null;
  /** Seconds to add to `iat` (positive: issued in the future, for tests of the skew rule). */
  issuedAtOffset?: number;
  jti?: string;
}

/**
 * Signs tokens the way the identity service does (ES256, issuer/audience, kid) so services can be
 * tested, and the embedded runtime can run, without the identity service in the loop.
 */
export class TestTokenIssuer {
  private constructor(
    private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
    readonly jwks: JSONWebKeySet,
    readonly issuer: string,
    readonly audience: string,
    private readonly kid: string,
  ) {}

  static async create(opts: { issuer?: string; audience?: string } = {}): Promise<TestTokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    return new TestTokenIssuer(
      privateKey,
      { keys: [jwk] },
      opts.issuer ?? 'omni-identity',
      opts.audience ?? 'omni',
      kid,
    );
  }

  /** Options for the kit's Authenticator. */
  get authOptions() {
    return { keys: { jwks: this.jwks }, issuer: this.issuer, audience: this.audience };
  }

  async sign(claims: TokenClaims): Promise<string> {
    const { sub, expiresIn = 900, issuedAtOffset = 0, jti, ...rest } = claims;
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid })
      .setSubject(sub ?? `${claims.role}-${randomUUID().slice(0, 8)}`)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(now + issuedAtOffset)
      .setJti(jti ?? randomUUID());
    // Every token a test mints carries exp, as identity's do (services refuse tokens without one).
    if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
    return jwt.sign(this.privateKey);
  }

  ops(sub = 'ops-1') {
    return this.sign({ role: 'ops', sub, amr: ['pwd', 'otp'] });
  }
  staff(storeId: string, role: StoreRole = 'clerk', sub = `staff-${storeId}`) {
    return this.sign({ role: 'store_staff', sub, stores: { [storeId]: role } });
  }
  rider(riderId: string) {
    return this.sign({ role: 'rider', sub: `rider-account-${riderId}`, riderId });
  }
  customer(customerId: string) {
    return this.sign({ role: 'customer', sub: `customer-account-${customerId}`, customerId });
  }
  service(name: string, scope: string) {
    return this.sign({ role: 'service', sub: `svc-${name}`, scope });
  }
}
