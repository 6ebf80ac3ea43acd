import type { FastifyRequest } from 'fastify';
import type { Scope } from '@omni/kit';

/** Route scope: the store in the path (staff of another store get 403 from the kit). */
export const storeScope = (req: FastifyRequest): Scope => ({
  storeId: (req.params as { storeId: string }).storeId,
});
