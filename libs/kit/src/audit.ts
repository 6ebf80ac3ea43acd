import type { Collection, DocumentStore, Page, Session } from '@omni/store';
import { newId } from '@omni/store';
import type { Principal } from './auth';
import { currentTraceIds } from './tracing';

/**
 * Append-only audit log of privileged operations (who, what, target, when, from where). Each service
 * keeps its own in its store (written in the same transaction as the change when a session is given)
 * and exports every entry as an event so ops can query them in one place.
 */
export interface AuditEntry {
  _id: string;
  at: string;
  service: string;
  actor: { sub: string; role: string };
  action: string;
  target: { type: string; id: string };
  outcome: 'success' | 'denied' | 'failure';
  ip?: string;
  requestId?: string;
  traceId?: string;
  details?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface AuditInput {
  actor: Pick<Principal, 'sub' | 'role'> | { sub: string; role: string };
  action: string;
  target: { type: string; id: string };
  outcome?: AuditEntry['outcome'];
  ip?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** Called with each new entry, inside the same transaction (the service enqueues the outbox event). */
export type AuditExporter = (entry: AuditEntry, session: Session) => Promise<void>;

export class AuditLog {
  private readonly entries: Collection<AuditEntry>;
  private exporter?: AuditExporter;

  constructor(
    private readonly store: DocumentStore,
    private readonly service: string,
  ) {
    this.entries = store.collection<AuditEntry>({
      name: 'audit_log',
      indexes: [
        { keys: { at: 1 } },
        { keys: { 'actor.sub': 1, at: 1 } },
        { keys: { 'target.id': 1, at: 1 } },
      ],
    });
  }

  exportWith(exporter: AuditExporter): void {
    this.exporter = exporter;
  }

  /** Records an entry; inside the caller's transaction when `session` is given, else in its own. */
  async record(input: AuditInput, session?: Session): Promise<AuditEntry> {
    const entry: AuditEntry = {
      _id: newId(),
      at: new Date().toISOString(),
      service: this.service,
      actor: { sub: input.actor.sub, role: input.actor.role },
      action: input.action,
      target: input.target,
      outcome: input.outcome ?? 'success',
      ...(input.ip ? { ip: input.ip } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
      ...(currentTraceIds() ? { traceId: currentTraceIds()!.trace_id } : {}),
      ...(input.details ? { details: input.details } : {}),
    };
    const write = async (s: Session) => {
      await this.entries.insertOne(entry, { session: s });
      if (this.exporter) await this.exporter(entry, s);
    };
    if (session) await write(session);
    else await this.store.withTransaction(write);
    return entry;
  }

  query(
    q: { actor?: string; action?: string; targetId?: string; from?: string; to?: string },
    page: { limit: number; cursor?: string | null },
  ): Promise<Page<AuditEntry>> {
    const filter: Record<string, unknown> = {};
    if (q.actor) filter['actor.sub'] = q.actor;
    if (q.action) filter.action = q.action;
    if (q.targetId) filter['target.id'] = q.targetId;
    if (q.from || q.to) filter.at = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
    return this.entries.page(filter, { ...page, sortField: 'at', direction: -1 });
  }
}
