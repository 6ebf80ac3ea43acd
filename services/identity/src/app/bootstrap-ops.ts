import type { Principal } from '@omni/kit';
import { createAccount } from './create-account';
import type { IdentityContext } from './context';

const BOOTSTRAP: Principal = { sub: 'identity-bootstrap', role: 'ops', stores: {}, scopes: [], amr: [] };

/**
 * First start of an empty deployment: creates one ops account so somebody can sign in at all. Its
 * password is temporary (changed at first sign-in) and it must enrol TOTP before doing anything.
 * Does nothing once any ops account exists.
 */
export async function bootstrapOps(
  ctx: IdentityContext,
  input: { username: string; password: string },
): Promise<{ created: boolean }> {
  if ((await ctx.collections.accounts.countDocuments({ kind: 'ops' })) > 0) return { created: false };
  await createAccount(
    ctx,
    {
      kind: 'ops',
      username: input.username,
      password: input.password,
      mustChangePassword: true,
      displayName: 'Bootstrap ops',
    },
    { actor: BOOTSTRAP },
  );
  return { created: true };
}
