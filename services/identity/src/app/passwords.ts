import { ConflictError, UnprocessableError, type Principal } from '@omni/kit';
import type { Account } from '../domain/account';
import { passwordProblems } from '../domain/password-policy';
import { hashPassword, verifyPassword, type PasswordHash } from '../domain/passwords';
import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

function checkPolicy(ctx: IdentityContext, account: Account, password: string): void {
  const problems = passwordProblems(password, account.username, ctx.settings.password);
  if (account.phone && password.replace(/\D/g, '') === account.phone.replace(/\D/g, ''))
    problems.push('must not equal the phone number');
  if (problems.length > 0)
    throw new UnprocessableError('password-policy', `The password ${problems.join('; ')}`, { problems });
}

/** The current hash and the previous ones the policy remembers (newest first). */
function recentHashes(account: Account, historySize: number): PasswordHash[] {
  return [...(account.password ? [account.password.hash] : []), ...(account.passwordHistory ?? [])].slice(
    0,
    historySize,
  );
}

async function writePassword(
  ctx: IdentityContext,
  account: Account,
  newPassword: string,
  mustChange: boolean,
  meta: RequestMeta,
  action: string,
): Promise<void> {
  const hash = await hashPassword(newPassword, ctx.settings.scrypt);
  const now = ctx.clock().toISOString();
  // Remembers the last N passwords including the new one.
  const history = recentHashes(account, Math.max(0, ctx.settings.password.historySize - 1));
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    const updated = await ctx.collections.accounts.findOneAndUpdate(
      { _id: account._id, updatedAt: account.updatedAt },
      { $set: { password: { hash, changedAt: now, mustChange }, passwordHistory: history, updatedAt: now } },
      { session },
    );
    if (!updated) throw new ConflictError('concurrent-update', 'The account changed meanwhile; try again');
    // Every session signed in with the old password ends.
    await revokeSubject(ctx, session, account._id, action, revoked);
    await ctx.audit.record(
      { ...auditFrom(meta), action, target: { type: 'account', id: account._id }, details: { mustChange } },
      session,
    );
  });
  applyRevoked(ctx, revoked);
}

/**
 * The account holder changes their password (the only thing a `pwd_expired` token may do): the
 * current password is checked through the throttle, the new one against the policy and the last
 * N passwords. All sessions end; the holder signs in again with the new password.
 */
export async function changeOwnPassword(
  ctx: IdentityContext,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  meta: { ip: string; requestId?: string },
): Promise<void> {
  const account = await getAccount(ctx, principal.sub);
  if (!account.password) throw new UnprocessableError('no-password', 'This account has no password');
  const attempt = await ctx.throttle.begin([
    { key: `user:${account.username}`, policy: ctx.settings.accountBackoff, kind: 'account' },
    { key: `ip:${meta.ip}`, policy: ctx.settings.ipBackoff, kind: 'ip' },
  ]);
  try {
    if (!(await verifyPassword(input.currentPassword, account.password.hash))) {
      await attempt.fail();
      throw new UnprocessableError('wrong-current-password', 'The current password is not correct');
    }
    await attempt.succeed();
  } finally {
    await attempt.release();
  }
  checkPolicy(ctx, account, input.newPassword);
  const reused = await Promise.all(
    recentHashes(account, ctx.settings.password.historySize).map((h) => verifyPassword(input.newPassword, h)),
  );
  if (reused.some(Boolean)) {
    throw new UnprocessableError(
      'password-reused',
      `The new password must differ from the last ${ctx.settings.password.historySize} passwords`,
    );
  }
  await writePassword(
    ctx,
    account,
    input.newPassword,
    false,
    { actor: principal, ...meta },
    'account.password-changed',
  );
}

/** Ops set a (temporary, by default) password, e.g. for a locked-out employee. */
export async function resetPassword(
  ctx: IdentityContext,
  id: string,
  input: { password: string; mustChange?: boolean },
  meta: RequestMeta,
): Promise<void> {
  const account = await getAccount(ctx, id);
  if (account.kind === 'service')
    throw new UnprocessableError('no-password', 'Service clients have secrets: rotate the secret');
  checkPolicy(ctx, account, input.password);
  await writePassword(ctx, account, input.password, input.mustChange ?? true, meta, 'account.password-reset');
  await ctx.throttle.clear(`user:${account.username}`);
  if (account.phone) await ctx.throttle.clear(`user:${account.phone}`);
}
