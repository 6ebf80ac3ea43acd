import {
  BadRequestError,
  ConflictError,
  OPS_ONLY_PERMISSIONS,
  PERMISSIONS,
  UnprocessableError,
  type FieldError,
  type StoreRole,
} from '@omni/kit';
import { isDuplicateKeyError, newId } from '@omni/store';
import {
  badStoreIds,
  viewAccount,
  type Account,
  type AccountKind,
  type AccountView,
} from '../domain/account';
import { normaliseLoginName } from '../domain/login-name';
import { newOpaqueToken, sha256 } from '../domain/opaque-token';
import { passwordProblems } from '../domain/password-policy';
import { hashPassword, type PasswordHash } from '../domain/passwords';
import { loginKey } from './account-lookup';
import type { IdentityContext } from './context';
import { auditFrom, type RequestMeta } from './request-meta';

export interface CreateAccountInput {
  kind: AccountKind;
  username: string;
  displayName?: string;
  /** Customers: a second sign-in name. */
  phone?: string;
  password?: string;
  /** Default true: a password chosen by ops is temporary and must be changed at first sign-in. */
  mustChangePassword?: boolean;
  stores?: Record<string, StoreRole>;
  riderId?: string;
  customerId?: string;
  scopes?: string[];
}

export interface CreatedAccount {
  account: AccountView;
  /** Service clients only: shown once, stored only as a hash. */
  clientSecret?: string;
}

/** Which fields each kind takes (anything else is refused, so nobody gets a binding by accident). */
function validate(input: CreateAccountInput): FieldError[] {
  const errors: FieldError[] = [];
  const bad = (field: string, message: string) => errors.push({ field: `body/${field}`, message });
  const has = (v: unknown) => v !== undefined;
  const storeCount = Object.keys(input.stores ?? {}).length;
  for (const id of badStoreIds(input.stores)) bad('stores', `invalid store id ${JSON.stringify(id)}`);
  if (input.kind === 'store_staff' && storeCount === 0)
    bad('stores', 'store staff must be bound to at least one store');
  if (!['store_staff', 'service'].includes(input.kind) && has(input.stores))
    bad('stores', `not allowed for ${input.kind}`);
  if (input.kind === 'rider' && !input.riderId) bad('riderId', 'a rider account must be bound to a rider id');
  if (input.kind !== 'rider' && has(input.riderId)) bad('riderId', `not allowed for ${input.kind}`);
  if (input.kind === 'customer' && !input.customerId)
    bad('customerId', 'a customer account must be bound to a customer id');
  if (input.kind !== 'customer' && has(input.customerId)) bad('customerId', `not allowed for ${input.kind}`);
  if (input.kind !== 'customer' && has(input.phone)) bad('phone', `not allowed for ${input.kind}`);
  if (input.kind === 'service') {
    if (!input.scopes?.length) bad('scopes', 'a service client needs at least one scope');
    for (const s of input.scopes ?? []) {
      if (!(PERMISSIONS as readonly string[]).includes(s)) bad('scopes', `unknown permission ${s}`);
      else if ((OPS_ONLY_PERMISSIONS as readonly string[]).includes(s))
        bad('scopes', `${s} is for ops only, never a service client`);
    }
    if (has(input.password)) bad('password', 'service clients get a generated secret');
  } else {
    if (has(input.scopes)) bad('scopes', `not allowed for ${input.kind}`);
    if (!input.password) bad('password', 'required');
  }
  return errors;
}

export async function createAccount(
  ctx: IdentityContext,
  input: CreateAccountInput,
  meta: RequestMeta,
  /** Seeding only: a hash of `input.password` computed once for many demo accounts. */
  opts: { passwordHash?: (password: string) => Promise<PasswordHash> } = {},
): Promise<CreatedAccount> {
  const errors = validate(input);
  if (errors.length > 0) throw new BadRequestError('The account is not valid', errors);
  const username = normaliseLoginName(input.username);
  const phone = input.phone ? normaliseLoginName(input.phone) : undefined;
  if (input.password) {
    const problems = passwordProblems(input.password, username, ctx.settings.password);
    if (problems.length > 0)
      throw new UnprocessableError('password-policy', `The password ${problems.join('; ')}`, { problems });
  }
  const hash = input.password
    ? await (opts.passwordHash?.(input.password) ?? hashPassword(input.password, ctx.settings.scrypt))
    : undefined;
  const clientSecret = input.kind === 'service' ? newOpaqueToken('cs') : undefined;
  const now = ctx.clock().toISOString();
  const account: Account = {
    _id: `acc_${newId()}`,
    username,
    ...(phone ? { phone } : {}),
    kind: input.kind,
    status: 'active',
    ...(input.displayName ? { displayName: input.displayName } : {}),
    ...(input.stores ? { stores: input.stores } : {}),
    ...(input.riderId ? { riderId: input.riderId } : {}),
    ...(input.customerId ? { customerId: input.customerId } : {}),
    ...(input.scopes ? { scopes: [...new Set(input.scopes)] } : {}),
    ...(hash
      ? {
          password: { hash, changedAt: now, mustChange: input.mustChangePassword ?? true },
          passwordHistory: [],
        }
      : {}),
    ...(clientSecret ? { clientSecretSha256: sha256(clientSecret) } : {}),
    createdAt: now,
    createdBy: meta.actor.sub,
    updatedAt: now,
  };
  const keys = [
    loginKey(username),
    ...(phone ? [loginKey(phone)] : []),
    ...(account.riderId ? [`rider:${account.riderId}`] : []),
    ...(account.customerId ? [`customer:${account.customerId}`] : []),
  ];
  try {
    await ctx.store.withTransaction(async (session) => {
      for (const key of keys) {
        if (await ctx.collections.accountKeys.findById(key, { session })) throw taken(key);
        await ctx.collections.accountKeys.insertOne({ _id: key, accountId: account._id }, { session });
      }
      await ctx.collections.accounts.insertOne(account, { session });
      await ctx.audit.record(
        {
          ...auditFrom(meta),
          action: 'account.created',
          target: { type: 'account', id: account._id },
          details: {
            kind: account.kind,
            username,
            ...(account.stores ? { stores: account.stores } : {}),
            ...(account.riderId ? { riderId: account.riderId } : {}),
            ...(account.customerId ? { customerId: account.customerId } : {}),
            ...(account.scopes ? { scopes: account.scopes } : {}),
          },
        },
        session,
      );
    });
  } catch (err) {
    if (isDuplicateKeyError(err))
      throw new ConflictError('account-exists', 'An account with this name or binding exists');
    throw err;
  }
  return { account: viewAccount(account), ...(clientSecret ? { clientSecret } : {}) };
}

function taken(key: string): ConflictError {
  const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const what =
    kind === 'login' ? `the sign-in name ${value} is taken` : `${kind} ${value} already has an account`;
  return new ConflictError(
    kind === 'login' ? 'username-taken' : 'binding-taken',
    `Cannot create the account: ${what}`,
  );
}
