import { AuditRecorded } from '@omni/contracts';
import type { AuditLog } from './audit';
import type { ServiceEvents } from './events';

/** Every audit entry is also exported as an event (same transaction), so ops query them in one place. */
export function exportAuditAsEvents(audit: AuditLog, events: ServiceEvents, service: string): void {
  audit.exportWith(async (entry, session) => {
    await events.publish(session, AuditRecorded, {
      subject: service,
      data: {
        entryId: entry._id,
        at: entry.at,
        service: entry.service,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        ...(entry.ip ? { ip: entry.ip } : {}),
        ...(entry.requestId ? { requestId: entry.requestId } : {}),
        ...(entry.traceId ? { traceId: entry.traceId } : {}),
        ...(entry.details ? { details: entry.details } : {}),
      },
    });
  });
}
