import type { AuditRecorded } from '@omni/contracts';
import type { EventData } from '@omni/events';
import type { Collection, DocumentStore } from '@omni/store';
import type { Account } from '../domain/account';

/** Unique keys of accounts: `login:<name>`, `rider:<riderId>`, `customer:<customerId>` → account. */
export interface AccountKey {
  _id: string;
  accountId: string;
  [k: string]: unknown;
}

/** A sign-in session = one refresh-token family. */
export interface SessionDoc {
  _id: string;
  accountId: string;
  status: 'active' | 'revoked';
  /** How the session was authenticated (carried into every access token it mints). */
  amr: string[];
  createdAt: string;
  /** Absolute end: refreshing never extends a session past this. */
  expiresAt: string;
  lastUsedAt: string;
  revokedAt?: string;
  revokedReason?: string;
  [k: string]: unknown;
}

/**
 * One refresh token (stored as its SHA-256), paired with the access token issued with it, so a
 * reused refresh token can revoke every access token of its family.
 */
export interface RefreshTokenDoc {
  _id: string;
  sid: string;
  accountId: string;
  status: 'active' | 'rotated' | 'revoked';
  createdAt: string;
  expiresAt: string;
  rotatedAt?: string;
  accessJti: string;
  /** Epoch seconds. */
  accessExp: number;
  [k: string]: unknown;
}

/** Failed-attempt counter per sign-in name or client IP (see LoginThrottle). Times in epoch ms. */
export interface ThrottleDoc {
  _id: string;
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
  locked: boolean;
  /** Set while one attempt beyond the free budget is being checked; others wait. */
  holdId?: string;
  [k: string]: unknown;
}

export interface SigningKeyDoc {
  _id: string;
  alg: 'ES256';
  publicJwk: Record<string, unknown>;
  /** Sealed private JWK (JSON). */
  privateJwk: string;
  createdAt: string;
  /** Epoch ms from which this key signs (newest activated key wins). */
  activatesAt: number;
  /** Epoch ms when a newer key took over. */
  activeUntil?: number;
  /** Epoch ms until which the public key stays in the JWKS (tokens signed by it still valid). */
  publishUntil?: number;
  /** Epoch ms: latest expiry of a long-lived (demo) token it signed. */
  signedUntil?: number;
  [k: string]: unknown;
}

/** An audit entry of any service, as received from omni.audit (append-only): the event's data. */
export type CollectedAuditEntry = EventData<typeof AuditRecorded> & {
  _id: string;
  receivedAt: string;
  [k: string]: unknown;
};

export interface IdentityCollections {
  accounts: Collection<Account>;
  accountKeys: Collection<AccountKey>;
  sessions: Collection<SessionDoc>;
  refreshTokens: Collection<RefreshTokenDoc>;
  throttle: Collection<ThrottleDoc>;
  signingKeys: Collection<SigningKeyDoc>;
  auditAll: Collection<CollectedAuditEntry>;
}

export function identityCollections(store: DocumentStore): IdentityCollections {
  return {
    accounts: store.collection<Account>({
      name: 'accounts',
      indexes: [{ keys: { kind: 1 } }, { keys: { status: 1 } }],
    }),
    accountKeys: store.collection<AccountKey>({
      name: 'account_keys',
      indexes: [{ keys: { accountId: 1 } }],
    }),
    sessions: store.collection<SessionDoc>({
      name: 'sessions',
      indexes: [{ keys: { accountId: 1 } }, { keys: { expiresAt: 1 } }],
    }),
    refreshTokens: store.collection<RefreshTokenDoc>({
      name: 'refresh_tokens',
      indexes: [{ keys: { sid: 1 } }, { keys: { accountId: 1 } }, { keys: { expiresAt: 1 } }],
    }),
    throttle: store.collection<ThrottleDoc>('login_throttle'),
    signingKeys: store.collection<SigningKeyDoc>('signing_keys'),
    auditAll: store.collection<CollectedAuditEntry>({
      name: 'audit_all',
      indexes: [
        { keys: { at: 1 } },
        { keys: { service: 1, at: 1 } },
        { keys: { 'actor.sub': 1, at: 1 } },
        { keys: { action: 1, at: 1 } },
        { keys: { 'target.id': 1, at: 1 } },
      ],
    }),
  };
}
