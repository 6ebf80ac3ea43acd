import { Type } from 'typebox';
import { defineEvent } from './registry';

/** Where consumers put messages they gave up on (one topic for the whole system). */
export const DEAD_LETTER_TOPIC = 'omni.deadletter';

/**
 * A message a consumer group could not process: invalid (not a CloudEvent, or data not matching
 * its schema — dead-lettered at once) or its handler failed `attempts` times. Key = original key.
 * To replay: fix the cause, then republish `value` to `topic` with `key`.
 */
export const DeadLettered = defineEvent({
  type: 'omni.deadletter.dead-lettered.v1',
  topic: DEAD_LETTER_TOPIC,
  description: 'A message a consumer group gave up on, with the original message and the last error.',
  schema: Type.Object({
    group: Type.String(),
    reason: Type.Union([
      Type.Literal('handler-failed'),
      Type.Literal('invalid-event'),
      Type.Literal('invalid-data'),
    ]),
    topic: Type.String(),
    partition: Type.Integer({ minimum: 0 }),
    offset: Type.String(),
    key: Type.String(),
    /** The original message value, unchanged (usually a serialised CloudEvent). */
    value: Type.String(),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    eventId: Type.Optional(Type.String()),
    eventType: Type.Optional(Type.String()),
    attempts: Type.Integer({ minimum: 1 }),
    error: Type.Object({ name: Type.String(), message: Type.String() }),
  }),
});
