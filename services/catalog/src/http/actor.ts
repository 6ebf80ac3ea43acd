import { can } from '@omni/kit';
import type { FastifyRequest } from 'fastify';

/** Whether the caller may see drafts (catalog writers); anonymous storefront reads may not. */
export function canSeeDrafts(req: FastifyRequest): boolean {
  return !!req.principal && can(req.principal, 'catalog:write');
}
