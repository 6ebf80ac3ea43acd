import type { Role, StoreRole } from '@omni/kit';
import type { PasswordHash } from './passwords';
import type { PasswordPolicy } from './password-policy';
import { passwordExpiresAt, ROTATING_KINDS } from './password-policy';

/** Account kinds are the token roles. */
export type AccountKind = Role;
export const ACCOUNT_KINDS: readonly AccountKind[] = ['ops', 'store_staff', 'rider', 'customer', 'service'];

export interface PasswordCredential {
  hash: PasswordHash;
  changedAt: string;
  /** Set when ops chose the password: the first sign-in must change it. */
  mustChange: boolean;
}

export interface TotpEnrolment {
  /** Sealed base32 secret (see SecretBox). */
  secret: string;
  confirmedAt: string;
  /** Last accepted time step: a code is accepted only for a later step, so it cannot be replayed. */
  lastStep: number;
}

/**
 * A named account. `_id` is the token subject (`sub`). Exactly one person or one client per account
 * (no shared logins); ops create, disable and enable them.
 */
export interface Account {
  _id: string;
  /** Unique sign-in name (normalised); the client_id of a service client. */
  username: string;
  /** Customers may also sign in with their phone number (normalised, unique). */
  phone?: string;
  kind: AccountKind;
  status: 'active' | 'disabled';
  displayName?: string;
  /** store_staff: role per store; service clients (POS): the stores they may act on. */
  stores?: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  /** service clients: granted permissions. */
  scopes?: string[];
  password?: PasswordCredential;
  /** Previous password hashes, newest first (reuse check). */
  passwordHistory?: PasswordHash[];
  /** service clients: SHA-256 of the generated secret (256 random bits, so a fast hash suffices). */
  clientSecretSha256?: string;
  totp?: TotpEnrolment;
  /** Enrolment started, not yet confirmed with a first code. */
  totpPending?: { secret: string; createdAt: string };
  /** Epoch seconds: tokens issued before this are void (logout everywhere, disable, password change). */
  tokensValidFrom?: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  [k: string]: unknown;
}

/** Ops and store managers must use a second factor. */
export function requiresMfa(a: Pick<Account, 'kind' | 'stores'>): boolean {
  if (a.kind === 'ops') return true;
  return a.kind === 'store_staff' && Object.values(a.stores ?? {}).includes('manager');
}

export function isPasswordExpired(a: Account, policy: PasswordPolicy, now: Date): boolean {
  if (!a.password) return false;
  if (a.password.mustChange) return true;
  if (!(ROTATING_KINDS as readonly string[]).includes(a.kind)) return false;
  return passwordExpiresAt(a.password.changedAt, policy) <= now.getTime();
}

/** What an account looks like to API clients: never a hash, a secret or a TOTP seed. */
export interface AccountView {
  id: string;
  username: string;
  phone?: string;
  kind: AccountKind;
  status: 'active' | 'disabled';
  displayName?: string;
  stores?: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  scopes?: string[];
  mfa: { required: boolean; enrolled: boolean };
  passwordChangedAt?: string;
  mustChangePassword?: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export function viewAccount(a: Account): AccountView {
  return {
    id: a._id,
    username: a.username,
    ...(a.phone ? { phone: a.phone } : {}),
    kind: a.kind,
    status: a.status,
    ...(a.displayName ? { displayName: a.displayName } : {}),
    ...(a.stores ? { stores: a.stores } : {}),
    ...(a.riderId ? { riderId: a.riderId } : {}),
    ...(a.customerId ? { customerId: a.customerId } : {}),
    ...(a.scopes ? { scopes: a.scopes } : {}),
    mfa: { required: requiresMfa(a), enrolled: a.totp !== undefined },
    ...(a.password
      ? { passwordChangedAt: a.password.changedAt, mustChangePassword: a.password.mustChange }
      : {}),
    createdAt: a.createdAt,
    createdBy: a.createdBy,
    updatedAt: a.updatedAt,
  };
}

/** Store ids become field names (`stores.<id>`): letters, digits, `_`, `-`, `:` only. */
export const STORE_ID = /^[A-Za-z0-9_:-]{1,100}$/;

export function badStoreIds(stores: Record<string, unknown> | undefined): string[] {
  return Object.keys(stores ?? {}).filter((id) => !STORE_ID.test(id));
}
