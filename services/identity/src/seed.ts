import { createHash } from 'node:crypto';
import { Secret } from 'otpauth';
import type { Principal, StoreRole } from '@omni/kit';
import type { Account } from './domain/account';
import { findAccountByLogin } from './app/account-lookup';
import { createAccount, type CreateAccountInput } from './app/create-account';
import { issueDirectToken } from './app/issue-direct-token';
import { hashPassword, type PasswordHash } from './domain/passwords';
import { totpStep } from './domain/totp';
import type { IdentityService } from './service';

/**
 * DEMO ONLY. Known passwords, TOTP secrets derived from the username and (optionally) long-lived
 * tokens, so `npm start` can print a working token per role. Never run against real data.
 */
export const DEMO_PASSWORDS = {
  ops: 'ops-demo-password',
  clerk: 'clerk-demo-password',
  manager: 'manager-demo-password',
  rider: 'rider-demo-password',
  customer: 'customer-demo-password',
} as const;

/**
 * Service clients and their scopes (client id → scopes): least privilege, each exactly what its
 * calls need. Deployments create the same clients from IDENTITY_CLIENT_<ID>_SECRET. Account and key
 * administration is never a client's: it is ops-only (see OPS_ONLY_PERMISSIONS in the kit).
 */
export const DEMO_SERVICE_CLIENTS: Record<string, string[]> = {
  // gRPC: catalog GetSkus; inventory Reserve/Commit/Release and the reads reservers may make
  // (GetAvailability, FindFulfillmentLocations); customers Resolve, RedeemPoints/RefundPoints.
  orders: ['catalog:read', 'inventory:reserve', 'customers:read', 'customers:write'],
  // Storefront backend: catalog reads (also opens inventory's availability gRPC), registering a
  // shopper (customer record, then their customer account). Availability over HTTP is public.
  storefront: ['catalog:read', 'customers:write', 'identity:signup'],
  // gRPC: inventory Reserve/Commit/Release — a goods voucher sells its goods from the redeeming store.
  vouchers: ['inventory:reserve'],
};

export interface IdentitySeed {
  stores: string[];
  riders: string[];
  customers: Array<string | { customerId: string; email?: string; phone?: string }>;
  /** Demo tokens live this long (seconds) when set; otherwise the normal access-token lifetime. */
  demoTokenTtlSeconds?: number;
  serviceClients?: Record<string, string[]>;
  /** POS clients per store (pos:sync, inventory:read bound to the store). Default true. */
  posClients?: boolean;
}

export interface DemoAccount {
  role: string;
  username: string;
  accountId: string;
  /** Known demo password (absent for service clients and for accounts that existed already). */
  password?: string;
  /** Base32 TOTP secret (ops and managers) — add it to an authenticator app, or compute codes from it. */
  totpSecret?: string;
  /** Service clients created in this run (shown once). */
  clientSecret?: string;
  created: boolean;
  stores?: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  scopes?: string[];
}

export interface IdentitySeedResult {
  /** Printed above the tokens by whoever shows them. */
  warning: string;
  accounts: DemoAccount[];
  /** Demo access tokens: `ops`, `clerk`, `manager`, `rider`, `customer` (first of each) and `<role>:<id>` for every account. */
  tokens: Record<string, string>;
  tokenExpiresAt: string;
}

const SEEDER: Principal = { sub: 'identity-seed', role: 'ops', stores: {}, scopes: [], amr: [] };

/** Deterministic per username, so restarts over a durable store print the same secret. */
export function demoTotpSecret(username: string): string {
  return new Secret({
    buffer: Uint8Array.from(
      createHash('sha256').update(`omni-demo-totp:${username}`).digest().subarray(0, 20),
    ).buffer,
  }).base32;
}

export async function seedIdentity(
  identity: IdentityService,
  seed: IdentitySeed,
): Promise<IdentitySeedResult> {
  const ctx = identity.context;
  // Seeded hashes have the production cost: a cheaper one would make a wrong password on a demo
  // account answer faster than an unknown name (the dummy hash has the full cost). Each demo
  // password is hashed once and shared (they are public anyway), which keeps seeding fast.
  const hashes = new Map<string, Promise<PasswordHash>>();
  const passwordHash = (password: string): Promise<PasswordHash> => {
    let h = hashes.get(password);
    if (!h) hashes.set(password, (h = hashPassword(password, ctx.settings.scrypt)));
    return h;
  };
  const accounts: DemoAccount[] = [];
  const tokens: Record<string, string> = {};
  let expiresAt = 0;

  const ensure = async (role: string, input: CreateAccountInput, withTotp: boolean, tokenKey: string) => {
    let account: Account | null = await findAccountByLogin(ctx, input.username);
    let clientSecret: string | undefined;
    const created = !account;
    if (!account) {
      const result = await createAccount(
        ctx,
        { ...input, mustChangePassword: false },
        { actor: SEEDER },
        { passwordHash },
      );
      clientSecret = result.clientSecret;
      account = await ctx.collections.accounts.findById(result.account.id);
      if (!account) throw new Error(`seeded account ${input.username} vanished`);
    }
    const totpSecret = withTotp ? demoTotpSecret(account.username) : undefined;
    if (totpSecret && !account.totp) {
      const now = ctx.clock();
      await ctx.collections.accounts.updateOne(
        { _id: account._id },
        {
          $set: {
            totp: {
              secret: ctx.box.seal(totpSecret),
              confirmedAt: now.toISOString(),
              lastStep: totpStep(now) - 2,
            },
          },
        },
      );
    }
    const issued = await issueDirectToken(ctx, account, { ttlSeconds: seed.demoTokenTtlSeconds, demo: true });
    expiresAt = Math.max(expiresAt, issued.expiresAt);
    tokens[tokenKey] = issued.token;
    tokens[role] ??= issued.token;
    accounts.push({
      role,
      username: account.username,
      accountId: account._id,
      ...(created && input.password ? { password: input.password } : {}),
      ...(totpSecret ? { totpSecret } : {}),
      ...(clientSecret ? { clientSecret } : {}),
      created,
      ...(account.stores ? { stores: account.stores } : {}),
      ...(account.riderId ? { riderId: account.riderId } : {}),
      ...(account.customerId ? { customerId: account.customerId } : {}),
      ...(account.scopes ? { scopes: account.scopes } : {}),
    });
  };

  await ensure(
    'ops',
    { kind: 'ops', username: 'ops.demo', displayName: 'Demo ops', password: DEMO_PASSWORDS.ops },
    true,
    'ops:ops.demo',
  );
  for (const storeId of seed.stores) {
    const store = { [storeId]: 'clerk' as const };
    await ensure(
      'clerk',
      { kind: 'store_staff', username: `clerk.${storeId}`, stores: store, password: DEMO_PASSWORDS.clerk },
      false,
      `clerk:${storeId}`,
    );
    await ensure(
      'manager',
      {
        kind: 'store_staff',
        username: `manager.${storeId}`,
        stores: { [storeId]: 'manager' },
        password: DEMO_PASSWORDS.manager,
      },
      true,
      `manager:${storeId}`,
    );
    if (seed.posClients ?? true) {
      await ensure(
        'pos',
        {
          kind: 'service',
          username: `pos.${storeId}`,
          stores: store,
          scopes: ['pos:sync', 'inventory:read'],
        },
        false,
        `pos:${storeId}`,
      );
    }
  }
  for (const riderId of seed.riders) {
    await ensure(
      'rider',
      { kind: 'rider', username: `rider.${riderId}`, riderId, password: DEMO_PASSWORDS.rider },
      false,
      `rider:${riderId}`,
    );
  }
  for (const c of seed.customers) {
    const { customerId, email, phone } =
      typeof c === 'string' ? { customerId: c, email: undefined, phone: undefined } : c;
    await ensure(
      'customer',
      {
        kind: 'customer',
        username: email ?? `customer.${customerId}`,
        customerId,
        ...(phone ? { phone } : {}),
        password: DEMO_PASSWORDS.customer,
      },
      false,
      `customer:${customerId}`,
    );
  }
  for (const [clientId, scopes] of Object.entries(seed.serviceClients ?? DEMO_SERVICE_CLIENTS)) {
    await ensure('service', { kind: 'service', username: clientId, scopes }, false, `service:${clientId}`);
  }
  return {
    warning:
      'DEMO ONLY: known passwords, TOTP secrets and long-lived tokens. Never use them outside a local demo.',
    accounts,
    tokens,
    tokenExpiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
