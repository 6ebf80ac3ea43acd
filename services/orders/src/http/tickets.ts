import { requirePrincipal, type App } from '@omni/kit';
import type { OrdersContext } from '../app/context';
import { addTicketNote, assignTicket, getTicket, listTickets, moveTicket, openTicket } from '../app/tickets';
import type { TicketDoc } from '../domain/tickets';
import {
  AssignTicketBody,
  ListTicketsQuery,
  OpenTicketBody,
  OrderParams,
  TicketNoteBody,
  TicketParams,
  TicketStatusBody,
} from './schemas';

function ticketView(t: TicketDoc) {
  const { _id, version: _version, ...rest } = t;
  return { ticketId: _id, ...rest };
}

/**
 * After-sales tickets tied to orders: the customer (own order) or staff open them; managers of the
 * order's location (inventory:adjust) or ops (orders:manage) assign and work them (audited); the
 * customer and staff add notes. Another store's ticket answers 404.
 */
export function registerTicketRoutes(app: App, ctx: OrdersContext): void {
  app.post(
    '/v1/orders/:orderId/tickets',
    {
      schema: {
        tags: ['after-sales'],
        summary: 'Open an after-sales ticket (complaint, damaged, missing or wrong item...) about an order',
        description: 'The customer (own order) or staff who see the order.',
        params: OrderParams,
        body: OpenTicketBody,
      },
    },
    async (req, reply) => {
      const t = await openTicket(ctx, requirePrincipal(req), req.params.orderId, req.body);
      return reply.code(201).header('location', `/v1/tickets/${t._id}`).send(ticketView(t));
    },
  );

  app.get(
    '/v1/tickets',
    {
      schema: {
        tags: ['after-sales'],
        summary:
          "Tickets, newest first: a customer's own, staff their store's, ops all (by store, status, owner)",
        querystring: ListTicketsQuery,
      },
    },
    async (req) => {
      const q = req.query;
      const page = await listTickets(ctx, requirePrincipal(req), {
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.storeId ? { storeId: q.storeId } : {}),
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return { items: page.items.map(ticketView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tickets/:ticketId',
    { schema: { tags: ['after-sales'], summary: 'A ticket with its notes', params: TicketParams } },
    async (req) => ticketView(await getTicket(ctx, requirePrincipal(req), req.params.ticketId)),
  );

  app.post(
    '/v1/tickets/:ticketId/assign',
    {
      schema: {
        tags: ['after-sales'],
        summary: 'Take a ticket, or give it to a colleague (managers of its location, ops; audited)',
        params: TicketParams,
        body: AssignTicketBody,
      },
    },
    async (req) =>
      ticketView(await assignTicket(ctx, requirePrincipal(req), req.params.ticketId, req.body.owner)),
  );

  app.post(
    '/v1/tickets/:ticketId/status',
    {
      schema: {
        tags: ['after-sales'],
        summary: 'Move a ticket: open → in_progress → resolved → closed, or reopen (audited)',
        description: '409 for a change the state does not allow.',
        params: TicketParams,
        body: TicketStatusBody,
      },
    },
    async (req) =>
      ticketView(
        await moveTicket(ctx, requirePrincipal(req), req.params.ticketId, req.body.status, req.body.note),
      ),
  );

  app.post(
    '/v1/tickets/:ticketId/notes',
    {
      schema: {
        tags: ['after-sales'],
        summary: 'Add a note to a ticket (the customer or staff)',
        params: TicketParams,
        body: TicketNoteBody,
      },
    },
    async (req) =>
      ticketView(await addTicketNote(ctx, requirePrincipal(req), req.params.ticketId, req.body.text)),
  );
}
