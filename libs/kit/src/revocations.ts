import { randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import { SubjectRevoked, TokenRevoked } from '@omni/contracts';
import type { CloudEvent, EventBus, Subscription } from '@omni/events';
import type { RevocationList } from './auth';

export const REVOCATION_TOPIC = TokenRevoked.topic;

export interface RevocationSubscriptionOptions {
  /**
   * Consumer group. Every service INSTANCE needs every revocation, so the group must be unique per
   * process (default: `revocations-<random>`); a shared group would split the revocations between
   * instances.
   */
  group?: string;
  /** Replay the retained history on first subscription (default true: a restarted instance re-learns). */
  fromBeginning?: boolean;
  /** How often expired token revocations are forgotten. Default 60 s. */
  pruneIntervalMs?: number;
  /** Called for a message that is not a valid revocation (it is skipped, never retried). */
  onInvalid?: (reason: string) => void;
}

/**
 * Feeds a RevocationList from identity's revocation events (topic omni.identity.revocation), so a
 * revoked token or subject is refused by this instance within the bus latency. Every service built
 * from AuthenticatorOptions gets this from the kit (Service.start); give close() to stop.
 */
export async function subscribeRevocations(
  bus: EventBus,
  revocations: RevocationList,
  opts: RevocationSubscriptionOptions = {},
): Promise<Subscription> {
  await bus.ensureTopics([{ name: REVOCATION_TOPIC, partitions: 8 }]);
  const subscription = await bus.subscribe({
    group: opts.group ?? `revocations-${randomUUID()}`,
    topics: [REVOCATION_TOPIC],
    fromBeginning: opts.fromBeginning ?? true,
    handler: async (msg) => {
      const reason = applyRevocationMessage(revocations, msg.value);
      if (reason) opts.onInvalid?.(reason);
    },
  });
  const timer = setInterval(() => revocations.prune(), opts.pruneIntervalMs ?? 60_000);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await subscription.close();
    },
  };
}

/** Applies one serialised revocation event; returns why it was skipped, or undefined. */
export function applyRevocationMessage(revocations: RevocationList, value: string): string | undefined {
  let event: CloudEvent;
  try {
    event = JSON.parse(value) as CloudEvent;
  } catch {
    return 'not JSON';
  }
  if (event.type === TokenRevoked.type) {
    if (!Value.Check(TokenRevoked.schema, event.data)) return `invalid ${event.type}`;
    const d = event.data as { jti: string; expiresAt: number };
    revocations.revokeToken(d.jti, d.expiresAt);
    return undefined;
  }
  if (event.type === SubjectRevoked.type) {
    if (!Value.Check(SubjectRevoked.schema, event.data)) return `invalid ${event.type}`;
    const d = event.data as { sub: string; issuedBefore: number };
    revocations.revokeSubject(d.sub, d.issuedBefore);
    return undefined;
  }
  return `unknown type ${String(event.type)}`;
}
