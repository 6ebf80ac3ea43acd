import { NotFoundError } from '@omni/kit';
import type { Session } from '@omni/store';
import type { Account } from '../domain/account';
import { normaliseLoginName } from '../domain/login-name';
import type { IdentityContext } from './context';

export const loginKey = (name: string) => `login:${normaliseLoginName(name)}`;

/** The account a sign-in name (username, client id, customer phone) belongs to. */
export async function findAccountByLogin(
  ctx: IdentityContext,
  name: string,
  session?: Session,
): Promise<Account | null> {
  const key = await ctx.collections.accountKeys.findById(loginKey(name), { session });
  return key ? ctx.collections.accounts.findById(key.accountId, { session }) : null;
}

export async function getAccount(ctx: IdentityContext, id: string, session?: Session): Promise<Account> {
  const account = await ctx.collections.accounts.findById(id, { session });
  if (!account) throw new NotFoundError('account', id);
  return account;
}
