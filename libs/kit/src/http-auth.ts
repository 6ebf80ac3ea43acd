import type { Span } from '@opentelemetry/api';
import type { App } from './app';
import {
  authorize,
  bearerToken,
  type Authenticator,
  type Permission,
  type Principal,
  type Scope,
} from './auth';
import { BadRequestError, UnauthorizedError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    span?: Span;
  }
  interface FastifyContextConfig {
    /** Permission the route requires (checked after authentication, before the body is parsed). */
    permission?: Permission;
    /** Scope the permission applies to, from path params (e.g. the store id). */
    scope?: (req: FastifyRequest) => Scope;
    /** false: Idempotency-Key is ignored here (responses carry secrets that must never be stored). */
    idempotency?: boolean;
    /**
     * true: anyone may send this route a body (e.g. sign-in). Otherwise a POST/PUT/PATCH/DELETE route
     * without a `permission` still needs a valid token, checked before its body is read.
     */
    public?: boolean;
  }
}

/**
 * Authenticates every request (and checks the route's `config.permission`) before its body is read;
 * refuses a body on routes that take none; documents secured routes as such.
 */
export function registerAuthHooks(app: App, authenticator: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const token = bearerToken(req.headers.authorization);
    req.principal = token ? await authenticator.verify(token) : null;
    const config = req.routeOptions.config;
    const permission = config?.permission;
    if (permission) authorize(req.principal, permission, config.scope?.(req) ?? {});
    // Authenticate before the body is read or validated: an anonymous caller must not make the
    // service parse and check a large bad body (routes that authorise in the handler included).
    else if (!req.principal && req.routeOptions.url && WRITE_METHODS.has(req.method) && !config?.public)
      throw new UnauthorizedError();
  });
  // A route that declares no body takes none: a body sent there is a client mistake (e.g. options
  // it believes are applied), not something to ignore silently. `{}` is tolerated as "nothing".
  app.addHook('preValidation', async (req) => {
    if (!WRITE_METHODS.has(req.method) || req.routeOptions.schema?.body || !req.routeOptions.url) return;
    if (!isEmptyBody(req.body))
      throw new BadRequestError('This route takes no request body', [
        { field: 'body', message: 'must be empty' },
      ]);
  });
  // Secured routes are documented as such.
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: string } | undefined)?.permission;
    if (!permission) return;
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    schema.security = [{ bearerAuth: [] }];
    const note = `Requires permission \`${permission}\`.`;
    schema.description = schema.description ? `${schema.description as string}\n\n${note}` : note;
  });
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return false;
  return Object.keys(body).length === 0;
}
