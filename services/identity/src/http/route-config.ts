import type { FastifyRequest } from 'fastify';
import { UnauthorizedError, type Principal } from '@omni/kit';
import type { Restriction } from '../app/access-tokens';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Restricted tokens (expired password, MFA enrolment pending) may call this route. */
    allowRestricted?: Restriction[];
  }
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

/**
 * Responses carrying secrets are never cached, and never remembered by the kit's Idempotency-Key
 * store (which keeps response bodies): the header is dropped before that hook sees it.
 */
export const secretResponse = {
  onRequest: async (req: FastifyRequest) => {
    delete req.headers['idempotency-key'];
  },
};

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
