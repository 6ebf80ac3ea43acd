import { Type } from 'typebox';
import { defineEvent } from '@omni/events';
import { Actor, Id, IsoTime } from './common';

/** Topic `omni.identity.revocation`, key = subject. Every service feeds its RevocationList from it. */
export const TokenRevoked = defineEvent({
  type: 'omni.identity.revocation.token-revoked.v1',
  topic: 'omni.identity.revocation',
  description: 'One access token (jti) must stop working now, everywhere.',
  schema: Type.Object({ sub: Type.String(), jti: Type.String(), expiresAt: Type.Integer() }),
});

export const SubjectRevoked = defineEvent({
  type: 'omni.identity.revocation.subject-revoked.v1',
  topic: 'omni.identity.revocation',
  description:
    'Every token of this subject issued before `issuedBefore` (epoch seconds) is void (logout everywhere, lock, disable).',
  schema: Type.Object({ sub: Type.String(), issuedBefore: Type.Integer(), reason: Type.String() }),
});

/** Topic `omni.audit`, key = service. Every service exports its audit entries here. */
export const AuditRecorded = defineEvent({
  type: 'omni.audit.entry.recorded.v1',
  topic: 'omni.audit',
  description: 'A privileged operation (or a denied attempt) was recorded by a service.',
  schema: Type.Object({
    entryId: Id,
    at: IsoTime,
    service: Type.String(),
    actor: Actor,
    action: Type.String(),
    target: Type.Object({ type: Type.String(), id: Type.String() }),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')]),
    ip: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    traceId: Type.Optional(Type.String()),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const identityEvents = [TokenRevoked, SubjectRevoked, AuditRecorded];
