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

/** Responses carrying secrets are never cached (routes also set `config.idempotency: false`). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
