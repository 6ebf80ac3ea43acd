import type { FastifyRequest } from 'fastify';
import { BadRequestError, UnauthorizedError, type Principal, type Scope } from '@omni/kit';
import { InvalidCursorError } from '@omni/store';

/** Route scope: the store in the path (staff of another store get 403 from the kit). */
export const storeScope = (req: FastifyRequest): Scope => ({
  storeId: (req.params as { storeId: string }).storeId,
});

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal;
}

/** A cursor that is not ours is the client's mistake: 400, not 500. */
export async function withCursor<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new BadRequestError(
        err.message,
        [{ field: 'querystring/cursor', message: err.message }],
        'invalid-cursor',
      );
    throw err;
  }
}
