import type { FastifyRequest } from 'fastify';
import { UnauthorizedError, type Principal } from '@omni/kit';
import type { Restriction } from '../app/access-tokens';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Restricted tokens (expired password, MFA enrolment pending) may call this route. */
    allowRestricted?: Restriction[];
    /**
     * Any signed-in principal, no particular permission (the caller's own account): refused with
     * 401 before the body is parsed, like routes that name a permission.
     */
    signedIn?: boolean;
  }
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

/** Responses carrying secrets are never cached (routes also set `config.idempotency: false`). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
