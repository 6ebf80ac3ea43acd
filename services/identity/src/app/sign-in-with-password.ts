import { isPasswordExpired, requiresMfa, type Account } from '../domain/account';
import { normaliseLoginName } from '../domain/login-name';
import { hashPassword, kdfWork, needsRehash, verifyPassword, type ScryptParams } from '../domain/passwords';
import { matchTotpStep } from '../domain/totp';
import { signAccessToken, tokenResponse, type Restriction, type TokenResponse } from './access-tokens';
import { findAccountByLogin } from './account-lookup';
import { ANONYMOUS, type IdentityContext } from './context';
import { accountDisabled, invalidCredentials, invalidOtp, mfaRequired, otpReplayed } from './errors';
import type { LoginAttempt } from './login-throttle';
import { startSession } from './sessions';

export interface PasswordGrant {
  username: string;
  password: string;
  /** Current TOTP code (required for accounts with a second factor). */
  totp?: string;
  ip: string;
  requestId?: string;
}

/** Workforce sign-ins are audited (customers' are only counted in metrics). */
const AUDITED_KINDS = new Set(['ops', 'store_staff', 'rider']);

/**
 * grant_type=password: password (scrypt), then the TOTP code where enrolled, through the
 * per-name and per-IP throttle. An account that must still enrol a second factor, or whose
 * password expired, gets a restricted token that only identity accepts, and only for that.
 */
export async function signInWithPassword(ctx: IdentityContext, input: PasswordGrant): Promise<TokenResponse> {
  const name = normaliseLoginName(input.username);
  const attempt = await ctx.throttle.begin([
    { key: `user:${name}`, policy: ctx.settings.accountBackoff, kind: 'account' },
    { key: `ip:${input.ip}`, policy: ctx.settings.ipBackoff, kind: 'ip' },
  ]);
  try {
    return await authenticate(ctx, input, name, attempt);
  } finally {
    await attempt.release(); // no-op once the attempt was reported; takes it back after unexpected errors
  }
}

async function authenticate(
  ctx: IdentityContext,
  input: PasswordGrant,
  name: string,
  attempt: LoginAttempt,
): Promise<TokenResponse> {
  const account = await findAccountByLogin(ctx, name);
  const started = performance.now();
  // Unknown names verify a dummy hash of the current cost and accounts are hashed at that cost
  // (seeded ones included), so the work — and the time — does not say which names exist.
  const meter = (p: ScryptParams) => ctx.metrics.passwordWork.inc(kdfWork(p));
  if (!account?.password || account.kind === 'service') {
    await ctx.dummyHash.verify(input.password, meter);
    ctx.metrics.passwordHashSeconds.observe((performance.now() - started) / 1000);
    await recordFailure(ctx, attempt, input, name, account);
    throw invalidCredentials();
  }
  const passwordOk = await verifyPassword(input.password, account.password.hash, meter);
  ctx.metrics.passwordHashSeconds.observe((performance.now() - started) / 1000);
  if (!passwordOk) {
    await recordFailure(ctx, attempt, input, name, account);
    throw invalidCredentials();
  }
  if (account.status !== 'active') {
    await attempt.release();
    throw accountDisabled();
  }
  let amr = ['pwd'];
  if (account.totp) {
    if (!input.totp) {
      await attempt.release();
      throw mfaRequired();
    }
    const step = matchTotpStep(ctx.box.open(account.totp.secret), input.totp, ctx.clock());
    if (step === null) {
      await recordFailure(ctx, attempt, input, name, account);
      throw invalidOtp();
    }
    // Accepted only for a step later than the last one used: a code works once.
    const consumed = await ctx.collections.accounts.findOneAndUpdate(
      { _id: account._id, 'totp.lastStep': { $lt: step } },
      { $set: { 'totp.lastStep': step } },
    );
    if (!consumed) {
      await recordFailure(ctx, attempt, input, name, account);
      throw otpReplayed();
    }
    amr = ['pwd', 'otp'];
  }
  await attempt.succeed();
  if (needsRehash(account.password.hash, ctx.settings.scrypt)) upgradeHash(ctx, account, input.password);

  const restrictions: Restriction[] = [];
  if (requiresMfa(account) && !account.totp) restrictions.push('mfa-enrolment');
  if (isPasswordExpired(account, ctx.settings.password, ctx.clock())) restrictions.push('password-change');
  if (restrictions.length > 0) {
    ctx.metrics.signIns.inc({ grant: 'password', outcome: 'restricted' });
    const access = await signAccessToken(ctx, account, { amr, restrictions });
    return tokenResponse(ctx, access, {
      ...(restrictions.includes('password-change') ? { pwd_expired: true as const } : {}),
      ...(restrictions.includes('mfa-enrolment') ? { mfa_enrolment_required: true as const } : {}),
    });
  }
  const response = await ctx.store.withTransaction(async (session) => {
    const tokens = await startSession(ctx, session, account, amr);
    if (AUDITED_KINDS.has(account.kind)) {
      await ctx.audit.record(
        {
          actor: { sub: account._id, role: account.kind },
          action: 'auth.sign-in',
          target: { type: 'account', id: account._id },
          ip: input.ip,
          requestId: input.requestId,
          details: { amr },
        },
        session,
      );
    }
    return tokens;
  });
  ctx.metrics.signIns.inc({ grant: 'password', outcome: 'ok' });
  return response;
}

async function recordFailure(
  ctx: IdentityContext,
  attempt: LoginAttempt,
  input: PasswordGrant,
  name: string,
  account: Account | null,
): Promise<void> {
  const { locked } = await attempt.fail();
  ctx.metrics.signIns.inc({ grant: 'password', outcome: locked ? 'locked' : 'failed' });
  if (!locked) return;
  await ctx.audit.record({
    actor: ANONYMOUS,
    action: 'auth.account-locked',
    target: account ? { type: 'account', id: account._id } : { type: 'login-name', id: name },
    outcome: 'failure',
    ip: input.ip,
    requestId: input.requestId,
    details: { lockedForSeconds: Math.round(ctx.settings.accountBackoff.lockMs / 1000) },
  });
}

/** Stored hash weaker than the current parameters: re-hash now that the password is known. */
function upgradeHash(ctx: IdentityContext, account: Account, password: string): void {
  const old = account.password?.hash;
  if (!old) return;
  hashPassword(password, ctx.settings.scrypt)
    .then((hash) =>
      ctx.collections.accounts.updateOne(
        { _id: account._id, 'password.hash.dk': old.dk },
        { $set: { 'password.hash': hash } },
      ),
    )
    .catch((err: unknown) => ctx.log.warn({ err, account: account._id }, 'password re-hash failed'));
}
