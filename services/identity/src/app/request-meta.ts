import type { Principal } from '@omni/kit';

/** Who asks and from where, for audit entries. */
export interface RequestMeta {
  actor: Principal;
  ip?: string;
  requestId?: string;
}

export function auditFrom(meta: RequestMeta) {
  return { actor: { sub: meta.actor.sub, role: meta.actor.role }, ip: meta.ip, requestId: meta.requestId };
}
