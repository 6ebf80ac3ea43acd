import type { IdentityContext } from './context';
import type { SigningKeyInfo } from './key-ring';
import { auditFrom, type RequestMeta } from './request-meta';

/**
 * Ops rotate the signing key: the new key is published now and signs from `activateInSeconds` on
 * (time for every verifier's JWKS cache to pick it up); the old one keeps verifying until its last
 * tokens expire. No token stops working.
 */
export async function rotateSigningKey(
  ctx: IdentityContext,
  activateInSeconds: number,
  meta: RequestMeta | null,
): Promise<SigningKeyInfo> {
  const key = await ctx.keys.rotate(activateInSeconds);
  await ctx.audit.record({
    ...(meta ? auditFrom(meta) : { actor: { sub: 'identity', role: 'system' } }),
    action: 'keys.rotated',
    target: { type: 'signing-key', id: key.kid },
    details: { activatesAt: key.activatesAt },
  });
  return key;
}
