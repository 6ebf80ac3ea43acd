import type { Principal } from '@omni/kit';
import { sha256, sha256Equals } from '../domain/opaque-token';
import { findAccountByLogin } from './account-lookup';
import { createAccount } from './create-account';
import type { IdentityContext } from './context';
import { DEMO_SERVICE_CLIENTS } from '../seed';

const BOOTSTRAP: Principal = { sub: 'identity-bootstrap', role: 'ops', stores: {}, scopes: [], amr: [] };

export interface BootstrapClient {
  /** Shared with the calling service through a Secret (≥ 24 characters). */
  secret: string;
  scopes: string[];
}

/**
 * Deployments (compose, Kubernetes) give each service its client id and secret from a Secret; this
 * makes identity know them: missing clients are created with their scopes, and the secret of an
 * existing one is set to the configured value (so rotating the Secret and restarting rotates it).
 * Audited like any account change.
 */
export async function bootstrapServiceClients(
  ctx: IdentityContext,
  clients: Record<string, BootstrapClient>,
): Promise<Array<{ clientId: string; created: boolean; secretChanged: boolean }>> {
  const out: Array<{ clientId: string; created: boolean; secretChanged: boolean }> = [];
  for (const [clientId, { secret, scopes }] of Object.entries(clients)) {
    if (secret.length < 24)
      throw new Error(`bootstrap client ${clientId}: the secret must have at least 24 characters`);
    // A service that calls nobody needs no client (least privilege): its Secret key is ignored.
    if (scopes.length === 0) continue;
    let account = await findAccountByLogin(ctx, clientId);
    const created = !account;
    if (!account) {
      await createAccount(ctx, { kind: 'service', username: clientId, scopes }, { actor: BOOTSTRAP });
      account = await findAccountByLogin(ctx, clientId);
      if (!account) throw new Error(`bootstrap client ${clientId} vanished`);
    }
    const secretChanged = !account.clientSecretSha256 || !sha256Equals(secret, account.clientSecretSha256);
    if (secretChanged) {
      await ctx.store.withTransaction(async (session) => {
        await ctx.collections.accounts.updateOne(
          { _id: account._id },
          { $set: { clientSecretSha256: sha256(secret), updatedAt: ctx.clock().toISOString() } },
          { session },
        );
        await ctx.audit.record(
          {
            actor: BOOTSTRAP,
            action: 'account.client-secret-bootstrapped',
            target: { type: 'account', id: account._id },
          },
          session,
        );
      });
    }
    out.push({ clientId, created, secretChanged });
  }
  return out;
}

/**
 * Service clients the deployment configures, one Secret key each: `IDENTITY_CLIENT_<ID>_SECRET`
 * (e.g. IDENTITY_CLIENT_ORDERS_SECRET) with the standard scopes of that client, or explicit ones in
 * `IDENTITY_CLIENT_<ID>_SCOPES` (space-separated). The id is the lower-cased <ID> ("_" → "-").
 */
export function bootstrapClientsFromEnv(
  env: Record<string, string | undefined>,
): Record<string, BootstrapClient> {
  const out: Record<string, BootstrapClient> = {};
  for (const [key, secret] of Object.entries(env)) {
    const m = /^IDENTITY_CLIENT_([A-Z0-9_]+)_SECRET$/.exec(key);
    if (!m?.[1] || !secret) continue;
    const clientId = m[1].toLowerCase().replace(/_/g, '-');
    const explicit = env[`IDENTITY_CLIENT_${m[1]}_SCOPES`];
    const scopes =
      explicit !== undefined ? explicit.split(/\s+/).filter(Boolean) : (DEMO_SERVICE_CLIENTS[clientId] ?? []);
    out[clientId] = { secret, scopes };
  }
  return out;
}
