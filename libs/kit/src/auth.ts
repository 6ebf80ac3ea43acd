import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { ForbiddenError, UnauthorizedError } from './errors';

/**
 * Authentication and authorisation shared by every service. Tokens are JWTs issued by the identity
 * service and verified locally against its published JWKS (no call-back per request). One permission
 * table and one `authorize()` so no service hand-writes scope logic.
 */

export type Role = 'customer' | 'store_staff' | 'rider' | 'ops' | 'service';
export type StoreRole = 'clerk' | 'manager';

export const PERMISSIONS = [
  'catalog:read',
  'catalog:write',
  'inventory:read',
  'inventory:adjust',
  'inventory:transfer',
  'inventory:reserve',
  'locations:write',
  'pos:sync',
  'customers:read',
  'customers:write',
  'customers:self',
  'customers:merge',
  'customers:erase',
  'orders:place',
  'orders:read',
  'orders:read:own',
  'orders:cancel',
  'orders:return',
  'orders:manage',
  'pickup:work',
  'pickup:manage',
  'dispatch:ride',
  'dispatch:store',
  'dispatch:manage',
  /** Redeem vouchers at a store counter (store-scoped). */
  'vouchers:redeem',
  /** Voucher offers, conflicts, refunds on a customer's behalf, settlement reports. */
  'vouchers:manage',
  /** A customer's own vouchers: see their codes, ask for the refund of unused ones. */
  'vouchers:own',
  'identity:manage',
  'audit:read',
  /** Create customer accounts only (a storefront's sign-up); never staff, riders, ops or clients. */
  'identity:signup',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Account, role and key administration: ops only, and only with a second factor in the token. A
 * service client never holds these, whatever its scope claim says (a leaked client secret must not
 * be able to mint staff accounts or rotate keys).
 */
export const OPS_ONLY_PERMISSIONS: readonly Permission[] = ['identity:manage'];

// Store staff also place orders for walk-in customers (endless aisle: sold in store, fulfilled from
// the pool) — the order names the customer and the channel is `store`.
const CLERK: Permission[] = [
  'catalog:read',
  'orders:place',
  'inventory:read',
  'pos:sync',
  'customers:read',
  'orders:read',
  'pickup:work',
  'dispatch:store',
  'vouchers:redeem',
];

/**
 * What each role may do. `ops` may do everything (the ops-only permissions with MFA); `service`
 * clients get exactly their `scope` claim, minus the ops-only permissions.
 */
export const ROLE_PERMISSIONS: Record<Exclude<Role, 'ops' | 'service' | 'store_staff'>, Permission[]> & {
  store_staff: Record<StoreRole, Permission[]>;
} = {
  customer: ['catalog:read', 'customers:self', 'orders:place', 'orders:read:own', 'vouchers:own'],
  rider: ['dispatch:ride'],
  store_staff: {
    clerk: CLERK,
    manager: [...CLERK, 'inventory:adjust', 'inventory:transfer', 'pickup:manage'],
  },
};

export interface Principal {
  sub: string;
  role: Role;
  /** store_staff (and POS service clients): role per store id. */
  stores: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  /** service clients: granted permissions. */
  scopes: string[];
  /** Authentication methods, e.g. ["pwd","otp"]. */
  amr: string[];
  jti?: string;
  /** Session (refresh-token family) the token was minted from, when identity issued it at a sign-in. */
  sid?: string;
  issuedAt?: number;
  expiresAt?: number;
}

/** What a request acts on; checked against the principal's bindings. */
export interface Scope {
  storeId?: string;
  riderId?: string;
  customerId?: string;
}

export function can(p: Principal, permission: Permission, scope: Scope = {}): boolean {
  switch (p.role) {
    case 'ops':
      return !OPS_ONLY_PERMISSIONS.includes(permission) || p.amr.includes('otp');
    case 'service': {
      if (OPS_ONLY_PERMISSIONS.includes(permission) || !p.scopes.includes(permission)) return false;
      // A POS client bound to stores may only act on those stores.
      if (scope.storeId !== undefined && Object.keys(p.stores).length > 0)
        return Object.hasOwn(p.stores, scope.storeId);
      return true;
    }
    case 'store_staff': {
      if (scope.storeId !== undefined) {
        const role = storeRole(p, scope.storeId);
        return role !== undefined && ROLE_PERMISSIONS.store_staff[role].includes(permission);
      }
      return Object.values(p.stores).some((r) => ROLE_PERMISSIONS.store_staff[r].includes(permission));
    }
    case 'rider':
      return (
        ROLE_PERMISSIONS.rider.includes(permission) &&
        (scope.riderId === undefined || scope.riderId === p.riderId)
      );
    case 'customer':
      return (
        ROLE_PERMISSIONS.customer.includes(permission) &&
        (scope.customerId === undefined || scope.customerId === p.customerId)
      );
  }
}

/**
 * The principal's role at a store, by own-property lookup only: store ids such as `constructor` or
 * `__proto__` must never resolve to something inherited from Object.prototype.
 */
export function storeRole(p: Pick<Principal, 'stores'>, storeId: string): StoreRole | undefined {
  return Object.hasOwn(p.stores, storeId) ? p.stores[storeId] : undefined;
}

/**
 * Which stores' data the principal may see for this permission: `'all'` (ops, unbound service
 * clients) or the explicit set of store ids (store staff, store-bound POS clients). Every route that
 * returns store-scoped data filters by this; an empty set means nothing store-scoped at all.
 */
export function readableStores(p: Principal, permission: Permission): 'all' | ReadonlySet<string> {
  switch (p.role) {
    case 'ops':
      return 'all';
    case 'service':
      if (!p.scopes.includes(permission)) return new Set();
      return Object.keys(p.stores).length > 0 ? new Set(Object.keys(p.stores)) : 'all';
    case 'store_staff':
      return new Set(
        Object.keys(p.stores).filter((id) => {
          const role = storeRole(p, id);
          return role !== undefined && ROLE_PERMISSIONS.store_staff[role].includes(permission);
        }),
      );
    default:
      return new Set();
  }
}

/** True when `readableStores` admits this store. */
export function mayReadStore(p: Principal, permission: Permission, storeId: string): boolean {
  const stores = readableStores(p, permission);
  return stores === 'all' || stores.has(storeId);
}

/** Throws 401 without a principal and 403 when the principal may not do this on this scope. */
export function authorize(
  p: Principal | null | undefined,
  permission: Permission,
  scope: Scope = {},
): Principal {
  if (!p) throw new UnauthorizedError();
  if (p.role === 'ops' && !can(p, permission, scope))
    throw new ForbiddenError(
      `${permission} needs a second factor: sign in with your TOTP code`,
      'mfa-required',
    );
  if (!can(p, permission, scope)) {
    const on = Object.entries(scope)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    throw new ForbiddenError(`${p.role} ${p.sub} may not ${permission}${on ? ` on ${on}` : ''}`);
  }
  return p;
}

/** Revoked tokens and subjects. Fed by identity events (token revoked, account locked, logout-all). */
export class RevocationList {
  private readonly tokens = new Map<string, number>(); // jti → expiry (s), forgotten after expiry
  private readonly subjects = new Map<string, number>(); // sub → tokens issued before this (s) are void

  private readonly listeners = new Set<() => void>();

  revokeToken(jti: string, expiresAt: number): void {
    this.tokens.set(jti, expiresAt);
    this.changed();
  }
  revokeSubject(sub: string, issuedBefore: number): void {
    this.subjects.set(sub, Math.max(issuedBefore, this.subjects.get(sub) ?? 0));
    this.changed();
  }
  /**
   * Called after every revocation: whoever holds long-lived sessions (WebSockets) re-checks them,
   * since a token verified once at upgrade is never presented again. Returns the unsubscribe.
   */
  onRevoked(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private changed(): void {
    for (const l of this.listeners) l();
  }
  isRevoked(p: Pick<Principal, 'jti' | 'sub' | 'issuedAt'>): boolean {
    if (p.jti !== undefined && this.tokens.has(p.jti)) return true;
    const before = this.subjects.get(p.sub);
    return before !== undefined && (p.issuedAt ?? 0) < before;
  }
  /** Drops entries whose tokens have expired anyway. */
  prune(nowSeconds = Date.now() / 1000): void {
    for (const [jti, exp] of this.tokens) if (exp < nowSeconds) this.tokens.delete(jti);
  }
}

export type KeySource =
  | { jwksUrl: string }
  | { jwks: JSONWebKeySet }
  /** Resolved on each verification (the embedded runtime reads the identity service's live key set). */
  | { jwksProvider: () => JSONWebKeySet };

export interface AuthenticatorOptions {
  keys: KeySource;
  issuer: string;
  audience: string;
  revocations?: RevocationList;
  /** Cap of the verified-token cache (verification is the most expensive step of a hot request). */
  cacheSize?: number;
  /**
   * Longest accepted token lifetime (exp − iat), in seconds. Default 31 days: identity's access tokens
   * live 15 minutes (at most a day), its demo tokens 30 days.
   */
  maxLifetimeSeconds?: number;
  /** How far in the future `iat` may be (clock skew between identity and this service). Default 60 s. */
  clockSkewSeconds?: number;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 31 * 86_400;

const ROLES: readonly Role[] = ['customer', 'store_staff', 'rider', 'ops', 'service'];

export class Authenticator {
  readonly revocations: RevocationList;
  private readonly cache = new Map<string, Principal>();
  private readonly cacheSize: number;
  private readonly resolveKey: Parameters<typeof jwtVerify>[1];

  constructor(private readonly opts: AuthenticatorOptions) {
    this.revocations = opts.revocations ?? new RevocationList();
    this.cacheSize = opts.cacheSize ?? 10_000;
    const k = opts.keys;
    if ('jwksUrl' in k) this.resolveKey = createRemoteJWKSet(new URL(k.jwksUrl), { cooldownDuration: 5_000 });
    else if ('jwks' in k) this.resolveKey = createLocalJWKSet(k.jwks);
    else {
      let last: JSONWebKeySet | undefined;
      let resolver: ReturnType<typeof createLocalJWKSet> | undefined;
      this.resolveKey = (header, token) => {
        const current = k.jwksProvider();
        if (current !== last || !resolver) {
          last = current;
          resolver = createLocalJWKSet(current);
        }
        return resolver(header, token);
      };
    }
  }

  /** Verifies a bearer token; throws UnauthorizedError with a precise reason. */
  async verify(token: string): Promise<Principal> {
    const nowS = Date.now() / 1000;
    let principal = this.cache.get(token);
    if (principal && (principal.expiresAt ?? Infinity) <= nowS) {
      this.cache.delete(token);
      principal = undefined;
    }
    if (!principal) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, this.resolveKey, {
          issuer: this.opts.issuer,
          audience: this.opts.audience,
          algorithms: ['ES256', 'EdDSA', 'RS256'],
          // A token without exp would be valid (and cached) forever; without iat its age is unknown.
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired)
          throw new UnauthorizedError('token expired', 'token-expired');
        throw new UnauthorizedError('token is not valid', 'token-invalid');
      }
      checkLifetime(payload, nowS, this.opts);
      principal = principalFromClaims(payload);
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, principal);
    }
    if (this.revocations.isRevoked(principal)) throw new UnauthorizedError('token revoked', 'token-revoked');
    return principal;
  }
}

/** A bounded lifetime, issued in the past (within the clock skew): a stolen token cannot outlive that. */
function checkLifetime(payload: JWTPayload, nowS: number, opts: AuthenticatorOptions): void {
  const { exp, iat } = payload as { exp: number; iat: number };
  if (iat > nowS + (opts.clockSkewSeconds ?? 60))
    throw new UnauthorizedError('token is issued in the future', 'token-invalid');
  if (exp - iat > (opts.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS))
    throw new UnauthorizedError('token lifetime exceeds the maximum', 'token-invalid');
}

export function principalFromClaims(c: JWTPayload): Principal {
  const role = c.role;
  if (typeof c.sub !== 'string' || typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new UnauthorizedError('token lacks sub or a known role', 'token-invalid');
  }
  // A null-prototype map: claims name arbitrary store ids, which must never meet Object.prototype.
  const stores: Record<string, StoreRole> = Object.create(null) as Record<string, StoreRole>;
  if (c.stores && typeof c.stores === 'object') {
    for (const [id, r] of Object.entries(c.stores as Record<string, unknown>)) {
      if (r === 'clerk' || r === 'manager') stores[id] = r;
    }
  }
  return {
    sub: c.sub,
    role: role as Role,
    stores,
    riderId: typeof c.riderId === 'string' ? c.riderId : undefined,
    customerId: typeof c.customerId === 'string' ? c.customerId : undefined,
    scopes: typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : [],
    amr: Array.isArray(c.amr) ? c.amr.filter((x): x is string => typeof x === 'string') : [],
    jti: c.jti,
    sid: typeof c.sid === 'string' ? c.sid : undefined,
    issuedAt: c.iat,
    expiresAt: c.exp,
  };
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}
