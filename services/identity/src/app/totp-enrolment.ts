import { ConflictError, UnprocessableError, type Principal } from '@omni/kit';
import { matchTotpStep, newTotpSecret, totpUri } from '../domain/totp';
import { getAccount } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';
import { applyRevoked, nothingRevoked, revokeSubject } from './revoke';

/**
 * Starts TOTP enrolment: a new secret, kept pending until confirmed with a first code. The
 * otpauth:// URI (for the authenticator app's QR code) is returned this once and never again.
 */
export async function startTotpEnrolment(
  ctx: IdentityContext,
  principal: Principal,
): Promise<{ otpauthUri: string }> {
  const account = await getAccount(ctx, principal.sub);
  if (account.totp)
    throw new ConflictError('totp-already-enrolled', 'A second factor is enrolled; ops can reset it');
  const secret = newTotpSecret();
  const updated = await ctx.collections.accounts.findOneAndUpdate(
    { _id: account._id, totp: { $exists: false } },
    { $set: { totpPending: { secret: ctx.box.seal(secret), createdAt: ctx.clock().toISOString() } } },
  );
  if (!updated)
    throw new ConflictError('totp-already-enrolled', 'A second factor is enrolled; ops can reset it');
  return { otpauthUri: totpUri(secret, account.username, ctx.settings.totpIssuer) };
}

/** Confirms the pending secret with a code from the app; from then on sign-in needs a code. */
export async function confirmTotpEnrolment(
  ctx: IdentityContext,
  principal: Principal,
  code: string,
  meta: { ip?: string; requestId?: string },
): Promise<void> {
  const account = await getAccount(ctx, principal.sub);
  if (account.totp) throw new ConflictError('totp-already-enrolled', 'A second factor is enrolled already');
  if (!account.totpPending) throw new ConflictError('no-totp-enrolment', 'Start the enrolment first');
  const step = matchTotpStep(ctx.box.open(account.totpPending.secret), code, ctx.clock());
  if (step === null) throw new UnprocessableError('invalid-otp', 'The one-time code is not valid');
  await ctx.store.withTransaction(async (session) => {
    const now = ctx.clock().toISOString();
    const done = await ctx.collections.accounts.findOneAndUpdate(
      { _id: account._id, 'totpPending.secret': account.totpPending?.secret, totp: { $exists: false } },
      {
        $set: {
          totp: { secret: account.totpPending?.secret ?? '', confirmedAt: now, lastStep: step },
          updatedAt: now,
        },
        $unset: { totpPending: '' },
      },
      { session },
    );
    if (!done) throw new ConflictError('concurrent-update', 'The enrolment changed meanwhile; start again');
    await ctx.audit.record(
      {
        actor: { sub: principal.sub, role: principal.role },
        ...meta,
        action: 'account.totp-enrolled',
        target: { type: 'account', id: account._id },
      },
      session,
    );
  });
}

/** Ops remove a lost second factor; the account's tokens are revoked and it must enrol again. */
export async function resetTotp(ctx: IdentityContext, id: string, meta: RequestMeta): Promise<void> {
  await getAccount(ctx, id);
  const revoked = nothingRevoked();
  await ctx.store.withTransaction(async (session) => {
    revoked.subjects.length = 0;
    await ctx.collections.accounts.updateOne(
      { _id: id },
      { $unset: { totp: '', totpPending: '' }, $set: { updatedAt: ctx.clock().toISOString() } },
      { session },
    );
    await revokeSubject(ctx, session, id, 'mfa-reset', revoked);
    await ctx.audit.record(
      { ...auditFrom(meta), action: 'account.totp-reset', target: { type: 'account', id } },
      session,
    );
  });
  applyRevoked(ctx, revoked);
}
