/**
 * After-sales tickets: a complaint or problem about an order (damaged, missing, late, wrong item...),
 * with a state and an owner among the staff. Kept apart from the order (its own collection): notes
 * accumulate and staff work tickets as a queue.
 */

export const TICKET_KINDS = ['damaged', 'missing_item', 'wrong_item', 'late', 'refund', 'other'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const MAX_TICKET_NOTES = 100;

export interface TicketNote {
  by: { sub: string; role: string };
  at: string;
  text: string;
}

export interface TicketDoc {
  _id: string;
  orderId: string;
  /** The order's fulfilment location: the store or warehouse whose staff handle it. */
  locationId: string;
  customerId?: string;
  kind: TicketKind;
  subject: string;
  status: TicketStatus;
  owner?: { sub: string; role: string };
  notes: TicketNote[];
  createdBy: { sub: string; role: string };
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
  version: number;
  [k: string]: unknown;
}

/** Allowed status changes: work starts, ends (resolved), is confirmed (closed) or reopened. */
const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['resolved', 'open'],
  resolved: ['closed', 'in_progress'],
  closed: [],
};

export function canMoveTicket(from: TicketStatus, to: TicketStatus): boolean {
  return NEXT[from].includes(to);
}
