import type { Filter, Page } from '@omni/store';
import { normaliseLoginName } from '../../domain/login-name';
import type { IdentityContext } from '../context';
import type { CollectedAuditEntry } from '../../store/collections';

export interface AuditQuery {
  service?: string;
  /** Actor subject (account id), or a username that is resolved to its account id. */
  actor?: string;
  /** Exact action, or a prefix ending in `*` (e.g. `account.*`). */
  action?: string;
  /** Target id. */
  target?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export type AuditEntryView = Omit<CollectedAuditEntry, '_id'> & { id: string };

/** Audit entries of every service, newest first. */
export async function queryAllAudit(ctx: IdentityContext, q: AuditQuery): Promise<Page<AuditEntryView>> {
  const filter: Filter = {};
  if (q.service) filter.service = q.service;
  if (q.actor) {
    const byName = await ctx.collections.accountKeys.findById(`login:${normaliseLoginName(q.actor)}`);
    filter['actor.sub'] = byName ? { $in: [q.actor, byName.accountId] } : q.actor;
  }
  if (q.action) {
    filter.action = q.action.endsWith('*') ? { $regex: `^${escapeRegex(q.action.slice(0, -1))}` } : q.action;
  }
  if (q.target) filter['target.id'] = q.target;
  // Stored times are UTC ISO strings: bounds given with an offset are converted so they compare right.
  const iso = (t: string) => new Date(t).toISOString();
  if (q.from || q.to)
    filter.at = { ...(q.from ? { $gte: iso(q.from) } : {}), ...(q.to ? { $lt: iso(q.to) } : {}) };
  const page = await ctx.collections.auditAll.page(filter, {
    limit: q.limit,
    cursor: q.cursor,
    sortField: 'at',
    direction: -1,
  });
  return { items: page.items.map(({ _id, ...rest }) => ({ id: _id, ...rest })), nextCursor: page.nextCursor };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
