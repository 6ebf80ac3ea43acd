import { NotFoundError, UnprocessableError } from '@omni/kit';
import { requiresMfa, type Account } from '../domain/account';
import { findAccountByLogin } from './account-lookup';
import { signAccessToken } from './access-tokens';
import type { IdentityContext } from './context';

/**
 * Tokens issued without a sign-in, for in-process callers only (never over HTTP): the embedded
 * runtime's service-to-service tokens and the demo tokens `npm start` prints.
 */
export async function issueDirectToken(
  ctx: IdentityContext,
  account: Account,
  opts: { ttlSeconds?: number; demo?: boolean } = {},
): Promise<DirectToken> {
  if (account.status !== 'active')
    throw new UnprocessableError('account-disabled', `account ${account.username} is disabled`);
  const amr =
    account.kind === 'service' ? ['client_secret'] : requiresMfa(account) ? ['pwd', 'otp'] : ['pwd'];
  const t = await signAccessToken(ctx, account, { amr, ttlSeconds: opts.ttlSeconds, demo: opts.demo });
  return { token: t.token, expiresAt: t.exp, sub: account._id, jti: t.jti, issuedAt: t.iat };
}

export interface DirectToken {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
  sub: string;
  jti: string;
  issuedAt: number;
}

/** Service tokens for outgoing calls, cached until a minute before they expire. */
export class ServiceTokenCache {
  private readonly cache = new Map<string, DirectToken>();

  constructor(private readonly ctx: IdentityContext) {}

  async get(clientId: string): Promise<string> {
    const nowS = Math.floor(this.ctx.clock().getTime() / 1000);
    const hit = this.cache.get(clientId);
    if (hit && hit.expiresAt - 60 > nowS && !this.ctx.revocations.isRevoked(hit)) return hit.token;
    const account = await findAccountByLogin(this.ctx, clientId);
    if (account?.kind !== 'service') throw new NotFoundError('service client', clientId);
    const issued = await issueDirectToken(this.ctx, account);
    this.cache.set(clientId, issued);
    return issued.token;
  }
}
