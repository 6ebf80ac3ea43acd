import { TransientError } from '@omni/store';

/**
 * Bus errors, in the same taxonomy as the store's (`TransientError` from @omni/store, tested with
 * `isTransientError`): the broker being unreachable is transient — retry later, unchanged; a message
 * the broker will never accept (too large, not authorised, invalid) is not — retrying cannot help.
 */

/** The broker cannot be reached or did not answer in time (or the embedded bus is in an injected outage). */
export class BusUnavailableError extends TransientError {
  constructor(message = 'event bus unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

export type PublishRejection = 'too-large' | 'not-authorised' | 'invalid';

/** The broker refuses this message for good: publishing it again will fail again. */
export class PublishRejectedError extends Error {
  constructor(
    readonly reason: PublishRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishRejectedError';
  }
}

/** Kafka protocol error types after which a produce request can never succeed as is. */
const PERMANENT_KAFKA_TYPES: Record<string, PublishRejection> = {
  MESSAGE_TOO_LARGE: 'too-large',
  RECORD_LIST_TOO_LARGE: 'too-large',
  TOPIC_AUTHORIZATION_FAILED: 'not-authorised',
  CLUSTER_AUTHORIZATION_FAILED: 'not-authorised',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'not-authorised',
  INVALID_RECORD: 'invalid',
  CORRUPT_MESSAGE: 'invalid',
  INVALID_TOPIC_EXCEPTION: 'invalid',
};

/** The permanent rejection a kafkajs error (or one it wraps, as `cause`) stands for, if any. */
export function kafkaRejection(err: unknown): PublishRejection | null {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && type in PERMANENT_KAFKA_TYPES) return PERMANENT_KAFKA_TYPES[type]!;
    const next =
      (e as { cause?: unknown; originalError?: unknown }).cause ??
      (e as { originalError?: unknown }).originalError;
    if (next === e) break;
    e = next;
  }
  return null;
}
