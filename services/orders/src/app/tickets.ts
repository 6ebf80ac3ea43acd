import {
  authorize,
  can,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  readableStores,
  UnprocessableError,
  withCursor,
  type Principal,
} from '@omni/kit';
import { newId, type Filter, type Page } from '@omni/store';
import {
  canMoveTicket,
  MAX_TICKET_NOTES,
  type TicketDoc,
  type TicketKind,
  type TicketStatus,
} from '../domain/tickets';
import type { OrdersContext } from './context';
import { isOwnOrder, loadVisibleOrder } from './order-access';
import { customerIdsOf } from './queries/customer-ids';

const who = (p: Principal) => ({ sub: p.sub, role: p.role });

/**
 * Who works a ticket (assign, change its state): ops (orders:manage), or a manager (inventory:adjust)
 * of the location the order was fulfilled from.
 */
function mayWork(p: Principal, t: TicketDoc): boolean {
  return can(p, 'orders:manage') || can(p, 'inventory:adjust', { storeId: t.locationId });
}

/** A ticket as this caller may see it: the customer of its order, staff of its location, ops; else 404. */
async function visibleTicket(ctx: OrdersContext, p: Principal, ticketId: string): Promise<TicketDoc> {
  const t = await ctx.collections.tickets.findById(ticketId);
  if (!t) throw new NotFoundError('ticket', ticketId);
  const order = await ctx.repo.get(t.orderId);
  if (order && (await isOwnOrder(ctx, p, order))) return t;
  if (p.role !== 'customer' && can(p, 'orders:read', { storeId: t.locationId })) return t;
  throw new NotFoundError('ticket', ticketId);
}

/** A customer (own order) or staff who see the order open a ticket about it. */
export async function openTicket(
  ctx: OrdersContext,
  p: Principal,
  orderId: string,
  input: { kind: TicketKind; subject: string; note?: string },
): Promise<TicketDoc> {
  const o = await loadVisibleOrder(ctx, p, orderId);
  const now = ctx.env.clock().toISOString();
  const t: TicketDoc = {
    _id: `tkt_${newId()}`,
    orderId,
    locationId: o.fulfilment.locationId,
    ...(o.customerId ? { customerId: o.customerId } : {}),
    kind: input.kind,
    subject: input.subject,
    status: 'open',
    notes: input.note ? [{ by: who(p), at: now, text: input.note }] : [],
    createdBy: who(p),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await ctx.collections.tickets.insertOne(t);
  return t;
}

export async function getTicket(ctx: OrdersContext, p: Principal, ticketId: string): Promise<TicketDoc> {
  return visibleTicket(ctx, p, ticketId);
}

/**
 * Tickets, newest first: a customer's own; staff their store's (one store at a time); ops all, by
 * store, status or owner.
 */
export async function listTickets(
  ctx: OrdersContext,
  p: Principal,
  q: { status?: TicketStatus; storeId?: string; owner?: string; limit: number; cursor?: string },
): Promise<Page<TicketDoc>> {
  const filter: Filter = {};
  if (p.role === 'customer') {
    authorize(p, 'orders:read:own', { customerId: p.customerId });
    if (!p.customerId) return { items: [], nextCursor: null };
    filter.customerId = { $in: await customerIdsOf(ctx, p.customerId) };
  } else {
    authorize(p, 'orders:read', q.storeId ? { storeId: q.storeId } : {});
    const stores = readableStores(p, 'orders:read');
    if (q.storeId) filter.locationId = q.storeId;
    else if (stores !== 'all') filter.locationId = { $in: [...stores] };
  }
  if (q.status) filter.status = q.status;
  if (q.owner) filter['owner.sub'] = q.owner;
  return withCursor(() =>
    ctx.collections.tickets.page(filter, { limit: q.limit, cursor: q.cursor ?? null, direction: -1 }),
  );
}

/** Versioned write of a ticket (a concurrent change is a 409, the caller reloads). */
async function saveTicket(
  ctx: OrdersContext,
  t: TicketDoc,
  change: Partial<TicketDoc>,
  audit: { p: Principal; action: string; details: Record<string, unknown> } | null,
): Promise<TicketDoc> {
  return ctx.svc.store.withTransaction(async (session) => {
    const now = ctx.env.clock().toISOString();
    const saved = await ctx.collections.tickets.findOneAndUpdate(
      { _id: t._id, version: t.version },
      { $set: { ...change, updatedAt: now }, $inc: { version: 1 } },
      { session },
    );
    if (!saved) throw new ConflictError('ticket-changed', `ticket ${t._id} changed meanwhile; reload it`);
    if (audit)
      await ctx.svc.audit.record(
        {
          actor: audit.p,
          action: audit.action,
          target: { type: 'ticket', id: t._id },
          details: audit.details,
        },
        session,
      );
    return saved;
  });
}

/** A manager or ops takes a ticket (or gives it to a named colleague). Audited. */
export async function assignTicket(
  ctx: OrdersContext,
  p: Principal,
  ticketId: string,
  owner: { sub: string; role: string } | undefined,
): Promise<TicketDoc> {
  const t = await visibleTicket(ctx, p, ticketId);
  if (!mayWork(p, t)) throw new ForbiddenError(`${p.role} ${p.sub} may not assign tickets`);
  if (t.status === 'closed') throw new ConflictError('ticket-closed', `ticket ${ticketId} is closed`);
  const next = owner ?? who(p);
  return saveTicket(ctx, t, { owner: next }, { p, action: 'ticket.assign', details: { owner: next } });
}

/** Work on a ticket moves its state (open → in progress → resolved → closed, or reopened). Audited. */
export async function moveTicket(
  ctx: OrdersContext,
  p: Principal,
  ticketId: string,
  to: TicketStatus,
  note: string | undefined,
): Promise<TicketDoc> {
  const t = await visibleTicket(ctx, p, ticketId);
  if (!mayWork(p, t)) throw new ForbiddenError(`${p.role} ${p.sub} may not work tickets`);
  if (!canMoveTicket(t.status, to))
    throw new ConflictError('illegal-transition', `ticket ${ticketId} cannot go from ${t.status} to ${to}`);
  const now = ctx.env.clock().toISOString();
  if (note && t.notes.length >= MAX_TICKET_NOTES)
    throw new UnprocessableError('too-many-notes', `at most ${MAX_TICKET_NOTES} notes per ticket`);
  return saveTicket(
    ctx,
    t,
    {
      status: to,
      ...(to === 'resolved' ? { resolvedAt: now } : {}),
      ...(t.owner ? {} : { owner: who(p) }),
      ...(note ? { notes: [...t.notes, { by: who(p), at: now, text: note }] } : {}),
    },
    { p, action: `ticket.${to}`, details: { from: t.status, to } },
  );
}

/** The customer or staff add a note (a closed ticket takes none). */
export async function addTicketNote(
  ctx: OrdersContext,
  p: Principal,
  ticketId: string,
  text: string,
): Promise<TicketDoc> {
  const t = await visibleTicket(ctx, p, ticketId);
  if (t.status === 'closed') throw new ConflictError('ticket-closed', `ticket ${ticketId} is closed`);
  if (t.notes.length >= MAX_TICKET_NOTES)
    throw new UnprocessableError('too-many-notes', `at most ${MAX_TICKET_NOTES} notes per ticket`);
  const now = ctx.env.clock().toISOString();
  return saveTicket(ctx, t, { notes: [...t.notes, { by: who(p), at: now, text }] }, null);
}
