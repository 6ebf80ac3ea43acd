import type { FastifyRequest } from 'fastify';
import { authorize, ForbiddenError, type Principal } from '@omni/kit';
import { resolveCustomer } from '../store/collections';
import type { CustomersContext } from '../app/context';

/** The authenticated principal as the actor of a use case (401 without one). */
export { actorOf } from '@omni/kit';

/** `/v1/me...`: the customer id of a customer token (403 when the token carries none). */
export function selfId(req: FastifyRequest): string {
  const p = authorize(req.principal, 'customers:self');
  if (!p.customerId) throw new ForbiddenError('this token is not bound to a customer (no customerId claim)');
  return p.customerId;
}

/**
 * Reading one customer: staff, ops and services with `customers:read`, or the customer themself —
 * "themself" compared after following merges, so a token issued for a record that has since been
 * merged still reads the survivor (and nobody else). Checked before the record is looked up, so a
 * customer cannot probe which ids exist.
 */
export async function authorizeCustomerRead(ctx: CustomersContext, req: FastifyRequest, id: string): Promise<Principal> {
  const p = req.principal;
  if (p?.role !== 'customer') return authorize(p, 'customers:read');
  const own = p.customerId ? await resolveCustomer(ctx.collections, p.customerId) : null;
  const target = await resolveCustomer(ctx.collections, id);
  const sameCustomer = own !== null && target !== null && own.doc._id === target.doc._id;
  return authorize(p, 'customers:self', { customerId: sameCustomer ? p.customerId : id });
}
