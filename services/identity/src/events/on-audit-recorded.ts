import { AuditRecorded } from '@omni/contracts';
import type { Service } from '@omni/kit';
import type { IdentityContext } from '../app/context';

/**
 * Collects every service's audit entries (topic omni.audit, identity's own included) into one
 * append-only collection for the cross-service audit query. Exactly once per event through the
 * kit's inbox; the entry id keys the row as well, so a second copy of an entry (re-exported after
 * a producer's retry) is ignored too.
 */
export function onAuditRecorded(svc: Service, ctx: IdentityContext): void {
  svc.events.on(AuditRecorded, async (event, { session }) => {
    const e = event.data;
    const id = `${e.service}:${e.entryId}`;
    // Checked first: a duplicate-key error would abort the whole transaction (inbox row included).
    if (await ctx.collections.auditAll.findById(id, { session })) return;
    await ctx.collections.auditAll.insertOne(
      {
        _id: id,
        entryId: e.entryId,
        at: e.at,
        service: e.service,
        actor: e.actor,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        ...(e.ip ? { ip: e.ip } : {}),
        ...(e.requestId ? { requestId: e.requestId } : {}),
        ...(e.traceId ? { traceId: e.traceId } : {}),
        ...(e.details ? { details: e.details } : {}),
        receivedAt: ctx.clock().toISOString(),
      },
      { session },
    );
  });
}
