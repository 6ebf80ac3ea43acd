import {
  type Context,
  context as otelContext,
  createTraceState,
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { Static, TSchema } from 'typebox';
import { newId } from '@omni/store';
import type { CloudEvent } from './port';
import type { EventDefinition } from './registry';

export interface CreateEventInput<T> {
  /** Aggregate id; becomes the partition key. */
  subject: string;
  data: T;
  /** Producer URI-reference, e.g. `/omni/orders`. */
  source: string;
  /** Defaults to now. A Date or an ISO-8601 string. */
  time?: Date | string;
  /** Defaults to newId() (time-ordered). */
  id?: string;
  /** Trace context to record; defaults to the active context. */
  context?: Context;
}

/**
 * Builds a CloudEvent for `def`, stamped with the W3C trace context of the active (or given)
 * OpenTelemetry context so the consumer can continue the trace. Does not validate `data`
 * (the outbox does, against the registry).
 */
export function createEvent<S extends TSchema>(
  def: EventDefinition<S>,
  input: CreateEventInput<Static<S>>,
): CloudEvent<Static<S>> {
  if (!input.subject) throw new Error(`createEvent(${def.type}): subject is required`);
  const time = input.time === undefined ? new Date() : input.time;
  const event: CloudEvent<Static<S>> = {
    specversion: '1.0',
    id: input.id ?? newId(),
    source: input.source,
    type: def.type,
    subject: input.subject,
    time: typeof time === 'string' ? new Date(time).toISOString() : time.toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
  const carrier = traceCarrier(input.context ?? otelContext.active());
  if (carrier.traceparent) event.traceparent = carrier.traceparent;
  if (carrier.tracestate) event.tracestate = carrier.tracestate;
  return event;
}

/**
 * W3C trace headers for `ctx`. Uses the globally registered propagator when it writes a
 * traceparent (an SDK is installed); otherwise formats the span context itself, so tracing across
 * the bus works without depending on which SDK (if any) the process registered.
 */
export function traceCarrier(ctx: Context): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier.traceparent) {
    return carrier.tracestate
      ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
      : { traceparent: carrier.traceparent };
  }
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The OpenTelemetry context to run a consumer in: `base` (default: active) with the producer's
 * span as remote parent. Returns `base` unchanged when the event carries no valid traceparent.
 */
export function contextFromEvent(
  event: Pick<CloudEvent, 'traceparent' | 'tracestate'>,
  base: Context = otelContext.active(),
): Context {
  if (!event.traceparent) return base;
  const carrier: Record<string, string> = { traceparent: event.traceparent };
  if (event.tracestate) carrier.tracestate = event.tracestate;
  const extracted = propagation.extract(base, carrier);
  const extractedSpan = trace.getSpanContext(extracted);
  if (extractedSpan && isSpanContextValid(extractedSpan) && extracted !== base) return extracted;

  const match = TRACEPARENT.exec(event.traceparent.trim().toLowerCase());
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5])) return base;
  const spanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: parseInt(match[4]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(event.tracestate ? { traceState: createTraceState(event.tracestate) } : {}),
  };
  if (!isSpanContextValid(spanContext)) return base;
  return trace.setSpanContext(base, spanContext);
}

/** Not a CloudEvent this system can read (bad JSON or missing/invalid envelope attributes). */
export class EventParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventParseError';
  }
}

const REQUIRED_STRINGS = ['id', 'source', 'type', 'subject', 'time'] as const;

/**
 * Parses a serialised CloudEvent (or an already-parsed object) and checks the envelope.
 * `data` is NOT validated here (that needs the registry); see EventRegistry.validate.
 */
export function parseEvent(value: string | unknown): CloudEvent {
  let obj: unknown = value;
  if (typeof value === 'string') {
    try {
      obj = JSON.parse(value);
    } catch (err) {
      throw new EventParseError(`not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new EventParseError('not a JSON object');
  const record = obj as Record<string, unknown>;
  if (record.specversion !== '1.0')
    throw new EventParseError(`unsupported specversion ${String(record.specversion)}`);
  for (const name of REQUIRED_STRINGS) {
    if (typeof record[name] !== 'string' || record[name] === '')
      throw new EventParseError(`missing or empty "${name}"`);
  }
  if (Number.isNaN(Date.parse(record.time as string))) throw new EventParseError('"time" is not a date');
  if (!('data' in record)) throw new EventParseError('missing "data"');
  if (record.datacontenttype !== undefined && record.datacontenttype !== 'application/json') {
    throw new EventParseError(`unsupported datacontenttype ${String(record.datacontenttype)}`);
  }
  for (const name of ['traceparent', 'tracestate'] as const) {
    if (record[name] !== undefined && typeof record[name] !== 'string')
      throw new EventParseError(`"${name}" is not a string`);
  }
  return { ...record, datacontenttype: 'application/json' } as unknown as CloudEvent;
}

/** Serialises an event and builds the bus message for it (key = subject, trace headers copied). */
export function toBusMessage(event: CloudEvent): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = { ce_type: event.type, ce_id: event.id };
  if (event.traceparent) headers.traceparent = event.traceparent;
  if (event.tracestate) headers.tracestate = event.tracestate;
  return { key: event.subject, value: JSON.stringify(event), headers };
}
